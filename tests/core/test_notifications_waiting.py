"""Decisions that wait for someone: each reaches the people who must take it once, links to
where it is taken, and leaves their bell, their unread list and the digest once taken, by them
or by anyone else entitled, through the page or the API. Nobody else is told, and no other
organisation."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from leadership.engagement.services import suggestions as suggestion_services
from leadership.models import ResourceAllocation
from leadership.services import policy as policy_services
from leadership.services import resources as resource_services
from objectives.models import RedFollowUp
from objectives.periods import latest_due_period_end
from objectives.services import measurement_record
from qms.core.models import Membership
from qms.core.notifications.models import Notification
from qms.core.notifications.services import digest_run, reminders_run
from qms.core.roles import Role
from reviews.models import ManagementReview, Nonconformity
from reviews.services import management_reviews as review_services
from tests.api_writes import patch_as_read
from tests.factories import MembershipFactory, UserFactory
from tests.objectives.factories import make_objective
from tests.page_forms import versioned

pytestmark = pytest.mark.django_db

API = "/api/v1/organizations/acme-test/"


@pytest.fixture
def rival(cast):
    """An executive and a quality manager of the other organisation: never told anything."""
    executive = UserFactory(username="rex", first_name="Rex")
    MembershipFactory(user=executive, organization=cast.org_b, role=Role.EXECUTIVE)
    return executive


def waiting(kind):
    """{username: url} of the unresolved notifications of `kind`."""
    rows = Notification.objects.filter(kind=kind, resolved_at__isnull=True)
    return {n.recipient.user.username: n.url for n in rows.select_related("recipient__user")}


def everyone(kind):
    return Notification.objects.filter(kind=kind)


def bell(client, user):
    """The unread count the top bar shows to `user`."""
    client.force_login(user)
    return client.get(reverse("core:notifications", args=["acme-test"])).context[
        "unread_notifications"
    ]


def assert_taken(kind, client, cast):
    """Nobody is still waiting on it, it reads as done, and the bell no longer counts it."""
    assert waiting(kind) == {}
    assert everyone(kind).exists()
    assert not everyone(kind).filter(read_at__isnull=True).exists()
    for n in everyone(kind).select_related("recipient__user"):
        others = Notification.objects.filter(recipient=n.recipient, read_at__isnull=True)
        assert bell(client, n.recipient.user) == others.exclude(kind=kind).count()
    page = client.get(reverse("core:notifications", args=["acme-test"])).content.decode()
    assert "Done" in page


def again_changes_nothing(kind, cast):
    """Re-running the daily job (twice) neither tells anyone again nor brings one back."""
    before = list(everyone(kind).values_list("pk", "resolved_at"))
    reminders_run(today=timezone.localdate(), organization=cast.org_a)
    reminders_run(today=timezone.localdate(), organization=cast.org_a)
    assert list(everyone(kind).values_list("pk", "resolved_at")) == before


# --- management review sign-off ----------------------------------------------------------------


@pytest.fixture
def held_review(members):
    quinn = members["quinn"]
    review = review_services.review_plan(
        membership=quinn, planned_on=timezone.localdate(), title="Q4 review"
    )
    review_services.review_prepare(review=review, membership=quinn)
    review_services.review_hold(review=review, membership=quinn, held_on=timezone.localdate())
    return review


def complete_record(review, members):
    quinn = members["quinn"]
    review_services.review_attendance_set(
        review=review, membership=quinn, attendee=members["alice"], attendance="attended"
    )
    review_services.review_record_update(review=review, membership=quinn, minutes="Discussed.")


def test_a_review_waits_for_the_executives_sign_off_once_its_record_is_complete(
    client, cast, members, held_review, rival
):
    # Held but without minutes, no executive can sign it yet: nobody is asked.
    assert waiting("review-sign-off") == {}
    complete_record(held_review, members)
    detail = reverse("reviews:detail", args=["acme-test", held_review.number])
    assert waiting("review-sign-off") == {"alice": detail}
    # Editing the minutes again, or the daily run, tells nobody twice.
    review_services.review_record_update(
        review=held_review, membership=members["quinn"], minutes="Discussed, agreed."
    )
    again_changes_nothing("review-sign-off", cast)
    assert everyone("review-sign-off").count() == 1
    assert bell(client, cast.alice) == 1
    client.force_login(cast.alice)
    page = client.get(reverse("core:notifications", args=["acme-test"])).content.decode()
    assert f"{held_review.reference} waits for your sign-off" in page
    # Signed off through the page: gone from the bell and marked done.
    client.post(reverse("reviews:sign-off", args=["acme-test", held_review.number]), {})
    held_review.refresh_from_db()
    assert held_review.status == "signed_off"
    assert_taken("review-sign-off", client, cast)
    again_changes_nothing("review-sign-off", cast)


def test_a_sign_off_through_the_api_resolves_it_for_every_executive(
    api_client, client, cast, members, held_review
):
    second = UserFactory(username="erin", first_name="Erin")
    MembershipFactory(user=second, organization=cast.org_a, role=Role.EXECUTIVE)
    complete_record(held_review, members)
    assert set(waiting("review-sign-off")) == {"alice", "erin"}
    assert all("Any member of top management may sign it off" in n.body
               for n in everyone("review-sign-off"))  # fmt: skip
    api_client.force_authenticate(second)
    url = f"{API}management-reviews/{held_review.number}/sign-off/"
    assert api_client.post(url, {}).status_code == 200
    assert_taken("review-sign-off", client, cast)


def test_a_chaired_review_asks_its_chair_only(cast, members, held_review):
    """Found by the try-out: "MR-007 waits for your sign-off" went to all three executives,
    three e-mails for one signature, though the review had a chair."""
    second = UserFactory(username="erin", first_name="Erin")
    erin = MembershipFactory(user=second, organization=cast.org_a, role=Role.EXECUTIVE)
    ManagementReview.objects.filter(pk=held_review.pk).update(chair=erin)
    complete_record(held_review, members)
    assert set(waiting("review-sign-off")) == {"erin"}
    (asked,) = everyone("review-sign-off")
    assert "You chair it." in asked.body


# --- quality policy approval -------------------------------------------------------------------


@pytest.fixture
def submitted(cast, members):
    policy = policy_services.policy_get_or_create(organization=cast.org_a, actor=cast.quinn)
    version = policy_services.policy_version_create_draft(
        policy=policy, membership=members["quinn"], text="We satisfy customers."
    )
    return policy_services.policy_version_submit(version=version, membership=members["quinn"])


def test_a_submitted_policy_waits_for_an_executive_and_leaves_once_approved(
    client, cast, submitted, rival
):
    page = reverse("leadership:policy-version", args=["acme-test", submitted.number])
    assert waiting("policy-approval") == {"alice": page}
    again_changes_nothing("policy-approval", cast)
    client.force_login(cast.alice)
    client.post(
        reverse("leadership:policy-approve", args=["acme-test", submitted.number]),
        {"comment": "Good"},
    )
    submitted.refresh_from_db()
    assert submitted.status == "approved"
    assert_taken("policy-approval", client, cast)


def test_a_policy_returned_through_the_api_is_resolved_and_asked_again_when_resubmitted(
    api_client, client, cast, members, submitted
):
    api_client.force_authenticate(cast.alice)
    response = api_client.post(
        f"{API}policy-versions/{submitted.number}/return/", {"comment": "Shorter"}
    )
    assert response.status_code == 200, response.content
    assert_taken("policy-approval", client, cast)
    submitted.refresh_from_db()
    timezone_later = submitted.submitted_at + datetime.timedelta(minutes=5)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: timezone_later)
        policy_services.policy_version_submit(version=submitted, membership=members["quinn"])
    assert set(waiting("policy-approval")) == {"alice"}
    assert everyone("policy-approval").count() == 2


# --- resource requests -------------------------------------------------------------------------


@pytest.fixture
def request_(cast, members):
    objective = make_objective(cast, owner=members["carl"], accountable_executive=members["alice"])
    return resource_services.allocation_request(
        membership=members["carl"],
        kind=ResourceAllocation.Kind.BUDGET,
        title="Second CMM",
        objective=objective,
        amount=Decimal("1500"),
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
    )


def test_a_resource_request_waits_for_an_executive_and_leaves_once_decided(
    client, cast, request_, rival
):
    page = reverse("leadership:resource-detail", args=["acme-test", request_.pk])
    assert waiting("resource-decision") == {"alice": page}
    # The amount as the pages write it ("1,500 GBP"; it read "1,500.00").
    body = Notification.objects.get(kind="resource-decision", recipient__user=cast.alice).body
    assert " asks for 1,500 " in body, body
    again_changes_nothing("resource-decision", cast)
    client.force_login(cast.alice)
    client.post(
        reverse("leadership:resource-decide", args=["acme-test", request_.pk]),
        {"decision": "approve"},
    )
    request_.refresh_from_db()
    assert request_.status == "approved"
    assert_taken("resource-decision", client, cast)


def test_a_resource_request_rejected_through_the_api_is_resolved(
    api_client, client, cast, request_
):
    api_client.force_authenticate(cast.alice)
    response = api_client.post(
        f"{API}resource-allocations/{request_.pk}/reject/", {"comment": "No budget"}
    )
    assert response.status_code == 200, response.content
    assert_taken("resource-decision", client, cast)


# --- nonconformities ---------------------------------------------------------------------------

NC_FORM = {
    "title": "Burr on flange face",
    "source": "internal",
    "severity": "minor",
    "detected_on": "2026-02-03",
    "status": "open",
    "effective": "unknown",
}


def test_a_reported_nonconformity_reaches_the_quality_team_and_leaves_once_taken_on(
    client, cast, rival
):
    client.force_login(cast.carl)
    client.post(reverse("registers:nonconformities-new", args=["acme-test"]), NC_FORM)
    nc = Nonconformity.objects.get()
    page = reverse("registers:nonconformities-detail", args=["acme-test", nc.pk])
    # The quality manager, not the reporter, not the executive, not the other organisation's
    # quality manager (bob); the administrator only stands in when there is no quality manager.
    assert waiting("nonconformity-reported") == {"quinn": page}
    again_changes_nothing("nonconformity-reported", cast)
    client.force_login(cast.quinn)
    edit = reverse("registers:nonconformities-edit", args=["acme-test", nc.pk])
    client.post(
        edit, versioned(nc, {**NC_FORM, "status": "investigating", "root_cause": "Worn tool"})
    )
    nc.refresh_from_db()
    assert nc.status == "investigating"
    assert_taken("nonconformity-reported", client, cast)


def test_a_nonconformity_taken_on_through_the_api_is_resolved(api_client, client, cast):
    api_client.force_authenticate(cast.carl)
    form = {k: v for k, v in NC_FORM.items() if k not in ("status", "effective")}
    reported = api_client.post(f"{API}nonconformities/", form, format="json")
    assert reported.status_code == 201, reported.content
    assert set(waiting("nonconformity-reported")) == {"quinn"}
    nc = Nonconformity.objects.get()
    api_client.force_authenticate(cast.quinn)
    response = patch_as_read(
        api_client, f"{API}nonconformities/{nc.pk}/", {"status": "investigating"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert_taken("nonconformity-reported", client, cast)


def test_a_nonconformity_the_quality_manager_reports_himself_tells_nobody(client, cast):
    client.force_login(cast.quinn)
    client.post(reverse("registers:nonconformities-new", args=["acme-test"]), NC_FORM)
    assert Nonconformity.objects.count() == 1
    assert waiting("nonconformity-reported") == {}


# --- action effectiveness checks ---------------------------------------------------------------


def test_a_done_action_waits_for_its_effectiveness_check_by_the_accountable_executive(
    client, cast, members, raise_action, rival
):
    action = raise_action()
    client.force_login(cast.carl)
    client.post(
        reverse("core:action-close", args=["acme-test", action.number]), {"note": "Recalibrated"}
    )
    page = reverse("core:action-detail", args=["acme-test", action.number])
    assert waiting("action-effectiveness-check") == {"alice": page}
    again_changes_nothing("action-effectiveness-check", cast)
    client.force_login(cast.alice)
    client.post(
        reverse("core:action-verify", args=["acme-test", action.number]),
        {"result": "effective", "evidence": "Three audits clean"},
    )
    action.refresh_from_db()
    assert action.status == "verified"
    assert_taken("action-effectiveness-check", client, cast)


def test_a_check_through_the_api_resolves_it_and_a_reclosed_action_is_asked_again(
    api_client, client, cast, members, raise_action
):
    action = raise_action(owner=members["alice"])  # alice owns it: the quality manager checks
    api_client.force_authenticate(cast.alice)
    base = f"{API}actions/{action.number}/"
    assert api_client.post(f"{base}close/", {"note": "Done"}, format="json").status_code == 200
    assert set(waiting("action-effectiveness-check")) == {"quinn"}
    api_client.force_authenticate(cast.quinn)
    checked = api_client.post(
        f"{base}verify/", {"result": "not_effective", "evidence": "Still drifting"}, format="json"
    )
    assert checked.status_code == 200, checked.content
    assert_taken("action-effectiveness-check", client, cast)
    api_client.force_authenticate(cast.alice)
    later = timezone.now() + datetime.timedelta(minutes=5)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        api_client.post(f"{base}close/", {"note": "Done, properly"}, format="json")
    assert set(waiting("action-effectiveness-check")) == {"quinn"}


# --- an objective off track: say why, and the proposed corrective action -----------------------


@pytest.fixture
def red(cast, members, django_capture_on_commit_callbacks):
    objective = make_objective(
        cast,
        code="OBJ-01",
        owner=members["carl"],
        accountable_executive=members["alice"],
        start_date=datetime.date(2025, 1, 1),
    )
    latest = latest_due_period_end("monthly", 10, timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        measurement_record(
            objective=objective, period_end=latest, value=Decimal("70"), actor=cast.carl
        )
    return RedFollowUp.objects.get()


def test_say_why_leaves_the_owner_once_explained_and_the_proposal_once_decided(
    client, cast, members, red, rival
):
    page = reverse("objectives:detail", args=["acme-test", "OBJ-01"])
    assert waiting("objective_red_explain") == {"carl": page}
    assert waiting("objective_corrective_proposal") == {"alice": page}
    again_changes_nothing("objective_red_explain", cast)
    client.force_login(cast.carl)
    client.post(
        reverse("objectives:red-explain", args=["acme-test", "OBJ-01", red.pk]),
        {"explanation": "Strike at the supplier", "next_step": "Second source"},
    )
    assert waiting("objective_red_explain") == {}
    assert waiting("objective_corrective_proposal") == {"alice": page}  # still to decide
    client.force_login(cast.alice)
    client.post(
        reverse("objectives:red-dismiss", args=["acme-test", "OBJ-01", red.pk]),
        {"reason": "The second source fixes it"},
    )
    red.refresh_from_db()
    assert red.proposal_status == "dismissed"
    assert_taken("objective_red_explain", client, cast)
    assert_taken("objective_corrective_proposal", client, cast)


# --- suggestions awaiting triage ---------------------------------------------------------------


def test_a_suggestion_waiting_too_long_leaves_the_quality_team_once_triaged(
    api_client, client, cast, members, rival, time_machine
):
    suggestion = suggestion_services.suggestion_submit(
        membership=members["carl"], title="Shadow boards", is_anonymous=True
    )
    time_machine.move_to(timezone.now() + datetime.timedelta(days=15))
    reminders_run(today=timezone.localdate(), organization=cast.org_a)
    page = reverse("engagement:suggestion", args=["acme-test", suggestion.pk])
    assert waiting("suggestion-triage-overdue") == {"quinn": page}
    api_client.force_authenticate(cast.quinn)
    response = api_client.post(
        f"{API}suggestions/{suggestion.pk}/decline/", {"reason": "Done already"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert_taken("suggestion-triage-overdue", client, cast)
    # Anonymous: its author is unknown, so no outcome notification reaches anyone.
    assert not Notification.objects.filter(kind="suggestion-outcome").exists()


# --- the weekly digest -------------------------------------------------------------------------


def test_the_digest_lists_what_waits_for_the_executive_and_not_what_was_decided(
    cast, members, held_review
):
    complete_record(held_review, members)
    digest_run(today=timezone.localdate(), organization=cast.org_a)
    digest = Notification.objects.get(kind="weekly-digest")
    assert "Waiting for your decision" in digest.body
    assert f"{held_review.reference} waits for your sign-off" in digest.body
    review_services.review_sign_off(review=held_review, membership=members["alice"])
    digest.delete()
    digest_run(today=timezone.localdate(), organization=cast.org_a)
    assert not Notification.objects.filter(
        kind="weekly-digest", body__contains="waits for your sign-off"
    ).exists()


def test_nobody_in_another_organisation_is_ever_told(cast, members, held_review, submitted):
    complete_record(held_review, members)
    reminders_run(today=timezone.localdate())
    others = Membership.objects.exclude(organization=cast.org_a)
    assert not Notification.objects.filter(recipient__in=others).exists()


def _months(objective, values: dict[str, str]):
    from objectives.models import Measurement

    for end, value in values.items():
        Measurement.objects.create(
            organization=objective.organization,
            objective=objective,
            period_end=datetime.date.fromisoformat(end),
            value=Decimal(value),
            entered_at=timezone.now(),
        )


def _month_ends(first: datetime.date, last: datetime.date) -> list[str]:
    from objectives.periods import next_period_end

    ends, end = [], first
    while end <= last:
        ends.append(end.isoformat())
        end = next_period_end("monthly", end)
    return ends


def test_the_digest_says_status_changes_period_against_period_and_since_when(
    cast, members, time_machine
):
    """All values typed in this week (as after an import, or in the demo): an objective red
    since 2023 is no change, one that turned red in October is, with how long it was green."""
    time_machine.move_to(datetime.datetime(2026, 11, 16, 8, tzinfo=datetime.UTC), tick=False)
    october = datetime.date(2026, 10, 31)
    kwargs = {"owner": members["carl"], "accountable_executive": members["alice"]}
    long_red = make_objective(cast, code="OBJ-01", start_date=datetime.date(2023, 1, 1), **kwargs)
    _months(long_red, dict.fromkeys(_month_ends(datetime.date(2023, 3, 31), october), "70"))
    turned = make_objective(cast, code="OBJ-02", **kwargs)
    _months(turned, {"2026-06-30": "80", "2026-07-31": "97", "2026-08-31": "96"})
    _months(turned, {"2026-09-30": "98", "2026-10-31": "70"})
    first = make_objective(cast, code="OBJ-03", **kwargs)
    _months(first, {"2026-10-31": "96"})
    digest_run(today=datetime.date(2026, 11, 16), organization=cast.org_a)
    body = Notification.objects.get(kind="weekly-digest").body
    assert "OBJ-01" not in body
    assert "No data →" not in body
    assert (
        "OBJ-02 Objective OBJ-02: On track → Off track for October 2026 "
        "(on track since July 2026)" in body
    )
    assert "OBJ-03 Objective OBJ-03: first value, On track for October 2026" in body


def test_the_digest_says_when_a_due_value_went_missing_this_week(cast, members, time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 14, 8, tzinfo=datetime.UTC), tick=False)
    objective = make_objective(cast, owner=members["carl"], accountable_executive=members["alice"])
    _months(objective, {"2026-09-30": "96", "2026-10-31": "97"})
    digest_run(today=datetime.date(2026, 12, 14), organization=cast.org_a)
    body = Notification.objects.get(kind="weekly-digest").body
    assert (
        "OBJ-01 Objective OBJ-01: On track → No data: the value for November 2026 was due on "
        "10 Dec 2026 and is missing" in body
    )


# --- milestones to recognise -------------------------------------------------------------------


@pytest.mark.parametrize("decision", ["recognise", "set aside"])
def test_a_milestone_leaves_the_executive_once_recognised_or_set_aside(
    client, cast, members, decision
):
    from leadership.engagement.milestones import milestones_detect
    from tests.engagement.test_milestones import TODAY, rollups

    objective = make_objective(cast, owner=members["carl"])
    rollups(objective, [("96", "green")])
    milestone = milestones_detect(organization=cast.org_a, today=TODAY)[0]
    page = reverse("engagement:recognition", args=["acme-test"])
    assert waiting("milestone-proposed") == {"alice": page}
    again_changes_nothing("milestone-proposed", cast)
    client.force_login(cast.alice)
    form = {"milestone": milestone.pk}
    if decision == "recognise":
        form |= {"recipient": members["carl"].pk, "note": "Well done, Carl."}
    else:
        form |= {"dismiss": "1"}
    response = client.post(reverse("engagement:recognition-new", args=["acme-test"]), form)
    assert response.status_code == 302
    assert_taken("milestone-proposed", client, cast)
