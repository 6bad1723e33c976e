"""Audit-readiness checks pass and fail on hand-made data, and the pack's report states the
same results."""

import datetime
import zipfile

import pytest
from django.urls import reverse

from leadership.models import PolicyVersion
from qms.core.actions.models import Action
from qms.core.actions.services import action_create
from qms.core.models import Membership
from qms.evidence import builder
from qms.evidence.models import ReadinessThresholds
from qms.evidence.readiness import FAIL, NOT_APPLICABLE, PASS, readiness_checks
from qms.evidence.sections import Scope
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 30)


def _by_title(checks, words):
    (check,) = [c for c in checks if words in c.title]
    return check


def _overdue_action(cast, days_late):
    quinn = Membership.objects.get(user=cast.quinn)
    action = action_create(
        organization=cast.org_a, raised_by=quinn, title=f"Late by {days_late}", owner=quinn,
        accountable_executive=Membership.objects.get(user=cast.alice),
        due_date=TODAY, today=TODAY,
    )  # fmt: skip
    Action.objects.filter(pk=action.pk).update(due_date=TODAY - datetime.timedelta(days=days_late))


def test_an_empty_organisation_fails_what_an_auditor_asks_first(cast):
    checks = readiness_checks(cast.org_a, today=TODAY)
    assert _by_title(checks, "A quality policy is in force").state == FAIL
    assert _by_title(checks, "acknowledged the policy").state == NOT_APPLICABLE
    assert _by_title(checks, "Management review held").state == FAIL
    assert _by_title(checks, "latest period").state == NOT_APPLICABLE
    assert _by_title(checks, "No action overdue").state == PASS


def test_an_action_late_beyond_the_threshold_fails_and_the_threshold_is_the_organisations(cast):
    _overdue_action(cast, 10)
    assert _by_title(readiness_checks(cast.org_a, TODAY), "No action overdue").state == PASS
    _overdue_action(cast, 45)
    check = _by_title(readiness_checks(cast.org_a, TODAY), "No action overdue")
    assert check.state == FAIL
    assert check.detail == "1 actions are overdue by more than 30 days."
    ReadinessThresholds.objects.create(organization=cast.org_a, action_overdue_days=60)
    assert _by_title(readiness_checks(cast.org_a, TODAY), "No action overdue").state == PASS
    assert _by_title(readiness_checks(cast.org_b, TODAY), "No action overdue").state == PASS


def test_an_objective_without_its_latest_value_fails(cast):
    make_objective(cast, code="OBJ-01", start_date=datetime.date(2026, 1, 1))
    check = _by_title(readiness_checks(cast.org_a, TODAY), "latest period")
    assert check.state == FAIL
    assert "OBJ-01" in check.detail


def test_an_old_policy_approval_fails_and_a_recent_one_passes(cast):
    from leadership.services.policy import (
        policy_get_or_create,
        policy_version_approve,
        policy_version_create_draft,
        policy_version_publish,
        policy_version_submit,
    )

    quinn = Membership.objects.get(user=cast.quinn)
    alice = Membership.objects.get(user=cast.alice)
    policy = policy_get_or_create(organization=cast.org_a)
    version = policy_version_create_draft(
        policy=policy, membership=quinn, text="We deliver.", change_summary="First"
    )
    policy_version_submit(version=version, membership=quinn)
    policy_version_approve(version=version, approver=alice, comment="OK")
    policy_version_publish(version=version, membership=quinn)
    version.refresh_from_db()
    approved = version.approved_at.date()
    fresh = _by_title(readiness_checks(cast.org_a, approved), "within 12 months")
    assert fresh.state == PASS
    PolicyVersion.objects.filter(pk=version.pk).update(
        approved_at=version.approved_at - datetime.timedelta(days=400)
    )
    stale = _by_title(readiness_checks(cast.org_a, approved), "within 12 months")
    assert stale.state == FAIL
    assert "review it with top management" in stale.detail


def test_the_pack_shows_the_same_checks_as_the_page(cast, tmp_path, client):
    _overdue_action(cast, 45)
    built = builder.build(
        Scope(cast.org_a, None, datetime.date(2025, 7, 1), TODAY), tmp_path / "p.zip",
        created_by="T",
    )  # fmt: skip
    with zipfile.ZipFile(built.path) as archive:
        rows = archive.read("readiness-checks.csv").decode().splitlines()[1:]
        html = archive.read("index.html").decode()
    expected = readiness_checks(cast.org_a, TODAY)
    assert len(rows) == len(expected)
    for check in expected:
        assert f"{check.state_label}:</span> {check.title}" in html


def test_the_readiness_page_shows_checks_and_only_editors_change_thresholds(client, cast):
    url = reverse("evidence:readiness", args=["acme-test"])
    client.force_login(cast.audrey)
    page = client.get(url)
    assert page.status_code == 200
    assert "Management review held within its planned interval" in page.content.decode()
    assert "Save thresholds" not in page.content.decode()
    assert client.post(url, {"action_overdue_days": 5}).status_code == 403
    client.force_login(cast.quinn)
    bad = client.post(
        url,
        {
            "policy_review_months": 12,
            "acknowledgement_percent": 150,
            "action_overdue_days": 30,
            "communication_on_time_percent": 80,
        },
    )
    assert bad.status_code == 400
    assert "A share is at most 100%." in bad.content.decode()
    assert not ReadinessThresholds.objects.exists()
    good = client.post(
        url,
        {
            "policy_review_months": 6,
            "acknowledgement_percent": 95,
            "action_overdue_days": 14,
            "communication_on_time_percent": 80,
        },
    )
    assert good.status_code == 302
    assert ReadinessThresholds.objects.get(organization=cast.org_a).action_overdue_days == 14
    client.force_login(cast.carl)
    assert client.get(url).status_code == 403
    client.force_login(cast.bob)
    assert client.get(url).status_code == 404
