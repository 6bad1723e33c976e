"""A refused form says so at its top, in one shape (components/form_errors.html): a summary
announced to screen readers (role="alert"), each problem a link to its field. The KPI log form
sits below the chart on a phone: its refusal is said where the page starts, not only next to
the field, off-screen (issue-20 fifth try-out)."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from objectives.periods import month_end
from qms.core.models import Membership
from tests.core.test_stale_edits import _risk
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db

SUMMARY = re.compile(r'<div class="alert alert-danger form-errors" role="alert">(.*?)</div>', re.S)


def _summaries(html: str) -> list[str]:
    return SUMMARY.findall(html)


def test_a_refused_kpi_value_is_said_at_the_top_of_the_page_with_a_link_to_the_field(client, cast):
    make_objective(cast, code="OBJ-22", owner=Membership.objects.get(user=cast.carl))
    client.force_login(cast.carl)
    period = month_end(timezone.localdate().replace(day=1) - datetime.timedelta(days=1))
    url = reverse("objectives:log", args=["acme-test", "OBJ-22"])
    page = client.post(url, {"period_end": period.isoformat(), "value": "ninety"})
    assert page.status_code == 400
    html = page.content.decode()
    summaries = _summaries(html)
    assert len(summaries) == 1  # announced once
    top = summaries[0]
    assert "Your value was not saved" in top
    assert '<a class="alert-link" href="#id_value">Value (%)</a>: Enter a number' in top
    # Before the chart and the values: what a phone shows first, under the page's title.
    assert html.index(top) < html.index('id="trend-heading"') < html.index('id="log-heading"')
    assert 'id="id_value"' in html  # the link's target


def test_a_refused_value_the_objective_cannot_take_is_said_at_the_top_too(client, cast):
    make_objective(cast, code="OBJ-22", owner=Membership.objects.get(user=cast.carl))
    client.force_login(cast.carl)
    period = month_end(timezone.localdate().replace(day=1) - datetime.timedelta(days=1))
    url = reverse("objectives:log", args=["acme-test", "OBJ-22"])
    page = client.post(url, {"period_end": period.isoformat(), "value": "-5"})
    assert page.status_code == 400
    (top,) = _summaries(page.content.decode())
    assert 'href="#id_value"' in top and "Your value was not saved" in top


def test_a_form_that_was_not_refused_shows_no_summary(client, cast):
    make_objective(cast, code="OBJ-22", owner=Membership.objects.get(user=cast.carl))
    client.force_login(cast.carl)
    page = client.get(reverse("objectives:detail", args=["acme-test", "OBJ-22"]))
    assert "form-errors" not in page.content.decode()


def test_a_refused_register_edit_lists_each_problem_with_a_link_at_the_top_of_the_form(
    client, cast
):
    risk = _risk(cast)
    url = reverse("registers:risks-edit", args=["acme-test", risk.pk])
    client.force_login(cast.quinn)
    from tests.page_forms import edit_form

    seen = edit_form(client.get(url).content)
    page = client.post(url, {**seen, "title": "", "likelihood": "9"})
    assert page.status_code == 400
    html = page.content.decode()
    (summary,) = _summaries(html)
    assert 'href="#id_title"' in summary and 'href="#id_likelihood"' in summary
    assert "Nothing was saved" in summary
    assert html.index(summary) < html.index('id="id_title"')


def test_every_form_that_shows_field_errors_has_the_one_summary():
    """A new form page cannot go back to errors shown only next to their fields: every
    template with a POST form whose fields come from components/field.html includes the
    summary in that form."""
    missing = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = path.read_text()
        for form in re.findall(r'<form method="post".*?</form>', text, re.S):
            if "components/field.html" in form and "components/form_errors.html" not in form:
                missing.append(str(path.relative_to(settings.BASE_DIR)))
    assert missing == []


def test_a_refused_step_on_an_actions_page_is_said_under_its_title(client, cast, raise_action):
    """The close form sits below the action's details: its refusal is also said where the
    page starts (announced once), linking to the note."""
    raise_action()
    client.force_login(cast.carl)
    close = reverse("core:action-close", kwargs={"org_slug": "acme-test", "number": 1})
    page = client.post(close, {"note": "  "})
    assert page.status_code == 400
    html = page.content.decode()
    (top,) = _summaries(html)
    assert "Not saved" in top and 'href="#id_note"' in top
    assert html.index("</header>") < html.index(top) < html.index('name="note"')
