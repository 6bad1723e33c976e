def board(r, org_slug):
    pass


def suggestion_list(r, org_slug, pk=None):
    pass


def suggestion_new(r, org_slug, pk=None):
    pass


def suggestion_figures(r, org_slug, pk=None):
    pass


def suggestion_detail(r, org_slug, pk=None):
    pass


def suggestion_triage(r, org_slug, pk=None):
    pass


def survey(r, org_slug, pk=None):
    pass


def survey_results(r, org_slug, pk=None):
    pass


def survey_statements(r, org_slug, pk=None):
    pass


def recognition(r, org_slug, pk=None):
    pass


def recognition_new(r, org_slug, pk=None):
    pass


def lessons(r, org_slug, pk=None):
    pass
