"""Nonconformities, audit findings, customer feedback and provider evaluations: the register
pages, roles and tenancy as users meet them."""

import pytest
from django.urls import reverse

from reviews.models import AuditFinding, CustomerFeedback, Nonconformity, ProviderEvaluation
from tests.page_forms import versioned
from tests.reviews.factories import make_evaluation, make_feedback, make_finding, make_nc

pytestmark = pytest.mark.django_db

MAKERS = {
    "nonconformities": make_nc,
    "audit-findings": make_finding,
    "customer-feedback": make_feedback,
    "provider-evaluations": make_evaluation,
}

NC_FORM = {
    "title": "Burr on flange face",
    "source": "internal",
    "severity": "minor",
    "detected_on": "2026-02-03",
    "status": "open",
    "effective": "unknown",
}


def _url(key, page="", *args, org="acme-test"):
    name = f"registers:{key}" + (f"-{page}" if page else "")
    return reverse(name, args=[org, *args])


@pytest.mark.parametrize("key", list(MAKERS))
def test_every_member_reads_each_register_and_another_organisation_gets_404(client, cast, key):
    record = MAKERS[key](cast)
    for user in (cast.alice, cast.quinn, cast.carl, cast.audrey, cast.adam):
        client.force_login(user)
        assert client.get(_url(key)).status_code == 200
        page = client.get(_url(key, "detail", record.pk))
        assert page.status_code == 200
        assert record.reference in page.content.decode()
    client.force_login(cast.bob)
    assert client.get(_url(key)).status_code == 404
    assert client.get(_url(key, "detail", record.pk, org="beta-rival")).status_code == 404


def test_contributor_raises_a_nonconformity_and_it_gets_a_reference(client, cast):
    client.force_login(cast.carl)
    response = client.post(_url("nonconformities", "new"), NC_FORM)
    assert response.status_code == 302
    nc = Nonconformity.objects.get()
    assert (nc.reference, nc.severity, nc.status) == ("NC-001", "minor", "open")
    page = client.get(response["Location"]).content.decode()
    assert "Burr on flange face" in page
    assert "created this nonconformity" in page
    assert "Edit</a>" not in page  # carl raised it; the quality team takes it on


def test_contributor_may_not_edit_a_nonconformity_and_auditor_may_not_write_at_all(client, cast):
    nc = make_nc(cast)
    client.force_login(cast.carl)
    assert client.get(_url("nonconformities", "edit", nc.pk)).status_code == 403
    changed = {**NC_FORM, "title": "Changed"}
    assert client.post(_url("nonconformities", "edit", nc.pk), changed).status_code == 403
    client.force_login(cast.audrey)
    assert client.get(_url("nonconformities", "new")).status_code == 403
    assert client.post(_url("nonconformities", "new"), NC_FORM).status_code == 403
    assert client.post(_url("nonconformities", "edit", nc.pk), changed).status_code == 403
    nc.refresh_from_db()
    assert nc.title == "Bore diameter out of tolerance"
    assert Nonconformity.objects.count() == 1


@pytest.mark.parametrize("key", ["audit-findings", "customer-feedback", "provider-evaluations"])
@pytest.mark.parametrize("username", ["carl", "audrey", "alice"])
def test_only_the_quality_team_adds_or_edits_the_other_registers(client, cast, key, username):
    record = MAKERS[key](cast)
    client.force_login(getattr(cast, username))
    assert client.get(_url(key, "new")).status_code == 403
    assert client.get(_url(key, "import")).status_code == 403
    assert client.post(_url(key, "edit", record.pk), {"title": "X"}).status_code == 403
    assert type(record).objects.count() == 1


def test_quality_manager_closes_a_nonconformity_with_its_effectiveness_check(client, cast, members):
    nc = make_nc(cast)
    client.force_login(cast.quinn)
    response = client.post(
        _url("nonconformities", "edit", nc.pk),
        {
            **versioned(nc),
            **NC_FORM,
            "title": nc.title,
            "severity": "major",
            "detected_on": "2026-01-10",
            "root_cause": "Worn tool not changed at the set interval.",
            "lesson_learned": "Tool changes are now on the setter's checklist.",
            "status": "closed",
            "closed_on": "2026-02-01",
            "effective": "true",
            "verified_by": members["quinn"].pk,
            "verified_on": "2026-03-01",
        },
    )
    assert response.status_code == 302
    nc.refresh_from_db()
    assert (nc.status, nc.effective, nc.verified_by.user.username) == ("closed", True, "quinn")
    page = client.get(_url("nonconformities", "detail", nc.pk)).content.decode()
    assert "Quinn Test</strong> changed" in page
    assert "Worn tool not changed" in page
    form = client.get(_url("nonconformities", "edit", nc.pk)).content.decode()
    assert '<option value="true" selected>Effective</option>' in form


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"status": "closed"}, "Say when the nonconformity was closed."),
        (
            {"status": "closed", "closed_on": "2026-01-01"},
            "The nonconformity cannot be closed before it was detected.",
        ),
        ({"closed_on": "2026-03-01"}, "Only a closed nonconformity has a closing date"),
        (
            {"status": "closed", "closed_on": "2026-03-01", "effective": "true"},
            "Say who verified the effectiveness.",
        ),
        ({"severity": "huge"}, "Select a valid choice."),
    ],
)
def test_a_nonconformity_that_breaks_a_rule_is_refused_and_nothing_saved(
    client, cast, changes, message
):
    client.force_login(cast.quinn)
    response = client.post(_url("nonconformities", "new"), {**NC_FORM, **changes})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Nonconformity.objects.exists()


def test_a_finding_closed_before_its_audit_is_refused(client, cast):
    client.force_login(cast.quinn)
    response = client.post(
        _url("audit-findings", "new"),
        {
            "title": "Gauge overdue",
            "audit_kind": "internal",
            "audit_reference": "IA-2026-03",
            "audit_date": "2026-03-10",
            "finding_type": "minor",
            "clause": "7.1.5",
            "status": "closed",
            "closed_on": "2026-03-01",
        },
    )
    assert response.status_code == 400
    assert "The finding cannot be closed before the audit took place." in response.content.decode()
    assert not AuditFinding.objects.exists()


def test_a_finding_clause_must_look_like_a_clause(client, cast):
    client.force_login(cast.quinn)
    response = client.post(
        _url("audit-findings", "new"),
        {
            "title": "Gauge overdue",
            "audit_kind": "certification",
            "audit_reference": "CB-2026",
            "audit_date": "2026-03-10",
            "finding_type": "major",
            "clause": "calibration",
            "status": "open",
        },
    )
    assert response.status_code == 400
    assert "Write the clause as numbers separated by dots" in response.content.decode()
    assert not AuditFinding.objects.exists()


FEEDBACK_FORM = {
    "title": "Very happy with delivery",
    "received_on": "2026-02-10",
    "customer": "Hydra Systems",
    "channel": "email",
    "feedback_type": "compliment",
    "status": "open",
}


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"score": "9"}, "Only a survey score has a score"),
        ({"feedback_type": "survey_score"}, "Give the survey score, from 0 to 10."),
        ({"feedback_type": "survey_score", "score": "11"}, "less than or equal to 10"),
    ],
)
def test_a_score_belongs_to_a_survey_and_only_to_one(client, cast, changes, message):
    client.force_login(cast.quinn)
    response = client.post(_url("customer-feedback", "new"), {**FEEDBACK_FORM, **changes})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CustomerFeedback.objects.exists()


def test_a_complaint_links_its_nonconformity_and_a_compliment_cannot(client, cast):
    nc = make_nc(cast)
    client.force_login(cast.quinn)
    response = client.post(
        _url("customer-feedback", "new"), {**FEEDBACK_FORM, "nonconformity": nc.pk}
    )
    assert response.status_code == 400
    assert "Only a complaint can be linked to a nonconformity." in response.content.decode()
    complaint = {**FEEDBACK_FORM, "feedback_type": "complaint", "nonconformity": nc.pk}
    response = client.post(_url("customer-feedback", "new"), complaint)
    assert response.status_code == 302
    feedback = CustomerFeedback.objects.get()
    assert feedback.nonconformity == nc
    page = client.get(_url("customer-feedback")).content.decode()
    assert "NC-001" in page
    # The nonconformity's page names the complaint that raised it.
    page = client.get(_url("nonconformities", "detail", nc.pk)).content.decode()
    assert f"{feedback.reference}</a> Very happy with delivery" in page


def test_feedback_cannot_link_another_organisations_nonconformity(client, cast):
    foreign = make_nc(cast, org=cast.org_b)
    client.force_login(cast.quinn)
    complaint = {**FEEDBACK_FORM, "feedback_type": "complaint", "nonconformity": foreign.pk}
    response = client.post(_url("customer-feedback", "new"), complaint)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not CustomerFeedback.objects.exists()


def test_an_evaluation_period_cannot_end_before_it_starts(client, cast):
    client.force_login(cast.quinn)
    response = client.post(
        _url("provider-evaluations", "new"),
        {
            "provider": "Castings & Co",
            "period_start": "2026-01-01",
            "period_end": "2025-12-31",
            "quality_score": "90",
            "delivery_score": "80",
            "status": "approved",
            "evaluated_on": "2026-01-15",
        },
    )
    assert response.status_code == 400
    assert "The period cannot end before it starts." in response.content.decode()
    assert not ProviderEvaluation.objects.exists()


def test_an_evaluation_stores_its_overall_score_and_reads_by_its_provider(client, cast):
    client.force_login(cast.quinn)
    response = client.post(
        _url("provider-evaluations", "new"),
        {
            "provider": "Castings & Co",
            "period_start": "2025-07-01",
            "period_end": "2025-12-31",
            "quality_score": "85.5",
            "delivery_score": "90",
            "status": "conditional",
            "evaluated_on": "2026-01-15",
        },
    )
    assert response.status_code == 302
    evaluation = ProviderEvaluation.objects.get()
    assert str(evaluation.overall_score) == "87.75"
    page = client.get(response["Location"]).content.decode()
    assert "<h1>Castings &amp; Co</h1>" in page
    listing = client.get(_url("provider-evaluations")).content.decode()
    assert "87.8" in listing
    assert "Approved with conditions</span>" in listing  # decision in words, not colour alone


def test_nonconformity_list_filters_by_severity_and_shows_it_in_words(client, cast):
    make_nc(cast, title="Severe one", severity="critical")
    make_nc(cast, title="Small one", severity="minor")
    client.force_login(cast.carl)
    text = client.get(_url("nonconformities"), {"severity": "critical"}).content.decode()
    assert "Severe one" in text
    assert "Small one" not in text
    assert 'status-red">Critical</span>' in text


def test_filter_choices_are_only_the_organisations_own(client, cast):
    client.force_login(cast.quinn)
    page = client.get(_url("nonconformities")).content.decode()
    assert "Plant One" in page
    assert "Beta HQ" not in page
    assert "Bob" not in page


def _bulk(key, cast, n, members):
    for i in range(n):
        extra = {}
        if key == "nonconformities":
            extra = {"owner": members["carl"], "title": f"NC {i}"}
        elif key == "customer-feedback":
            extra = {"nonconformity": make_nc(cast, title=f"Raised {i}")}
        elif key == "provider-evaluations":
            extra = {"evaluated_by": members["quinn"], "provider": f"Provider {i}"}
        MAKERS[key](cast, **extra)


@pytest.mark.parametrize("key", list(MAKERS))
def test_list_page_costs_the_same_queries_for_3_and_30_records(
    client, cast, members, key, django_assert_max_num_queries
):
    _bulk(key, cast, 3, members)
    client.force_login(cast.quinn)
    with django_assert_max_num_queries(16) as few:
        assert client.get(_url(key)).status_code == 200
    _bulk(key, cast, 27, members)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(_url(key)).status_code == 200


def test_a_major_open_nonconformity_pushes_for_a_corrective_action(client, cast):
    nc = make_nc(cast, severity="critical")
    client.force_login(cast.quinn)
    page = client.get(_url("nonconformities", "detail", nc.pk)).content.decode()
    assert "Raise an action" in page
    assert "btn-primary" in page


def test_staff_report_a_nonconformity_with_the_short_form(client, cast):
    client.force_login(cast.carl)
    page = client.get(reverse("registers:nonconformities-new", args=["acme-test"])).content
    assert b'name="severity"' in page
    assert b'name="root_cause"' not in page
    assert b'name="effective"' not in page
    client.force_login(cast.quinn)
    page = client.get(reverse("registers:nonconformities-new", args=["acme-test"])).content
    assert b'name="root_cause"' in page
