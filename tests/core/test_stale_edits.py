"""Two people edit the same record: the second save, made on the version both opened, is refused
with who changed it and when, the first change is kept, and the page shows the current version
to make the change again. Registers, objectives and actions go through the same mechanism
(`qms.core.concurrency`)."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from leadership.models import ContextIssue, Risk
from qms.core.actions.models import Action
from qms.core.concurrency import version_of
from qms.core.models import Membership
from qms.core.registers.definition import get_register
from qms.core.registers.services import record_create
from tests.objectives.factories import make_objective
from tests.page_forms import edit_form

pytestmark = pytest.mark.django_db


def _browser(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def _open(browser, url) -> dict[str, list[str]]:
    page = browser.get(url)
    assert page.status_code == 200
    return edit_form(page.content)


def _member(cast, user):
    return Membership.objects.get(user=user, organization=cast.org_a)


def _risk(cast) -> Risk:
    return record_create(
        register=get_register("risks"),
        membership=_member(cast, cast.quinn),
        record=Risk(
            title="Key supplier capacity",
            kind="risk",
            likelihood=3,
            impact=4,
            identified_on=datetime.date(2026, 1, 10),
        ),
    )


def _assert_refused(response, record_name: str, who: str) -> str:
    assert response.status_code == 409
    page = response.content.decode()
    assert f"{record_name} was changed by {who} at " in page
    assert "Your changes were not saved: here is the current version" in page
    return page


def test_the_second_of_two_risk_edits_is_refused_and_the_first_is_kept(cast):
    risk = _risk(cast)
    url = reverse("registers:risks-edit", args=["acme-test", risk.pk])
    quinn, alice = _browser(cast.quinn), _browser(cast.alice)
    seen_by_quinn, seen_by_alice = _open(quinn, url), _open(alice, url)

    saved = quinn.post(url, {**seen_by_quinn, "title": "Sole supplier of castings"})
    assert saved.status_code == 302
    refused = alice.post(url, {**seen_by_alice, "likelihood": "5"})

    page = _assert_refused(refused, "Risk or opportunity RISK-001", "Quinn Test")
    assert 'value="Sole supplier of castings"' in page  # the current version is shown
    risk.refresh_from_db()
    assert (risk.title, risk.likelihood, risk.impact) == ("Sole supplier of castings", 3, 4)
    assert risk.history.count() == 2  # created, Quinn's change: nothing of Alice's

    # Made again on the version the page now shows, Alice's change is saved over Quinn's.
    again = alice.post(url, {**edit_form(page), "likelihood": "5"})
    assert again.status_code == 302
    risk.refresh_from_db()
    assert (risk.title, risk.likelihood) == ("Sole supplier of castings", 5)


def test_a_context_issue_edit_on_an_old_version_is_refused(cast):
    issue = record_create(
        register=get_register("context-issues"),
        membership=_member(cast, cast.quinn),
        record=ContextIssue(
            title="New competitor", kind="external", raised_on=datetime.date(2026, 1, 5)
        ),
    )
    url = reverse("registers:context-issues-edit", args=["acme-test", issue.pk])
    adam, quinn = _browser(cast.adam), _browser(cast.quinn)
    seen_by_adam, seen_by_quinn = _open(adam, url), _open(quinn, url)

    assert adam.post(url, {**seen_by_adam, "title": "Two new competitors"}).status_code == 302
    refused = quinn.post(url, {**seen_by_quinn, "title": "Competitor left the market"})

    _assert_refused(refused, "Context issue CTX-001", "Adam Test")
    issue.refresh_from_db()
    assert issue.title == "Two new competitors"


@pytest.mark.parametrize(
    "made_up",
    ["x" * 500, "0123456789abcdef0123", "another record's"],
    ids=["garbage", "shaped-like-a-version", "another-records-version"],
)
def test_a_made_up_version_is_refused_saying_so_not_that_someone_changed_it(cast, made_up):
    """Nobody changed the risk: "changed by … after you opened it" would be untrue. The page
    says the form named a version the record never had, shows the current one, saves nothing."""
    risk, other = _risk(cast), _risk(cast)
    if made_up == "another record's":
        made_up = version_of(other)
    url = reverse("registers:risks-edit", args=["acme-test", risk.pk])
    alice = _browser(cast.alice)
    seen = _open(alice, url)
    response = alice.post(url, {**seen, "loaded_version": made_up, "title": "Changed"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "This form named a version Risk or opportunity RISK-001 never had" in page
    assert "Your changes were not saved: here is the current version" in page
    assert "was changed by" not in page and "after you opened it" not in page
    risk.refresh_from_db()
    assert risk.title == "Key supplier capacity"
    assert risk.history.count() == 1


def test_an_old_version_the_record_really_had_still_names_who_changed_it(cast):
    risk = _risk(cast)
    url = reverse("registers:risks-edit", args=["acme-test", risk.pk])
    old = version_of(risk)
    quinn = _browser(cast.quinn)
    assert quinn.post(url, {**_open(quinn, url), "title": "Sole supplier"}).status_code == 302
    assert quinn.post(url, {**_open(quinn, url), "impact": "5"}).status_code == 302
    alice = _browser(cast.alice)
    refused = alice.post(url, {**_open(alice, url), "loaded_version": old, "title": "Mine"})
    _assert_refused(refused, "Risk or opportunity RISK-001", "Quinn Test")


@pytest.mark.parametrize("version", [None, ""], ids=["field left out", "field empty"])
@pytest.mark.parametrize("kind", ["risk", "objective"])
def test_an_edit_sent_without_its_version_is_refused_and_changes_nothing(cast, kind, version):
    """A hand-made POST, a script or a tab opened before versions existed says nothing of what
    it was opened on, so it could overwrite a colleague's change unseen: refused like a stale
    edit (it was saved unchecked), and the page offers the current version to save again."""
    if kind == "risk":
        record = _risk(cast)
        url = reverse("registers:risks-edit", args=["acme-test", record.pk])
        name, field = "Risk or opportunity RISK-001", "title"
    else:
        record = make_objective(cast)
        url = reverse("objectives:edit", args=["acme-test", record.code])
        name, field = "Quality objective OBJ-01", "title"
    before = getattr(record, field)
    alice = _browser(cast.adam if kind == "objective" else cast.alice)
    seen = _open(alice, url)
    if version is None:
        del seen["loaded_version"]
    else:
        seen["loaded_version"] = [version]

    refused = alice.post(url, {**seen, field: "Changed without a version"})

    assert refused.status_code == 409
    page = refused.content.decode()
    assert f"This form did not say which version of {name} it was editing" in page
    assert "was changed by" not in page and "after you opened it" not in page
    assert "Your changes were not saved: here is the current version" in page
    record.refresh_from_db()
    assert getattr(record, field) == before
    # The page it answers carries the version: sent again, the change is saved.
    again = edit_form(page)
    assert again["loaded_version"] != [""]
    assert alice.post(url, {**again, field: "Changed with a version"}).status_code == 302
    record.refresh_from_db()
    assert getattr(record, field) == "Changed with a version"


def test_the_second_of_two_objective_edits_is_refused_and_the_first_is_kept(cast):
    objective = make_objective(cast)
    url = reverse("objectives:edit", args=["acme-test", objective.code])
    quinn, adam = _browser(cast.quinn), _browser(cast.adam)
    seen_by_quinn, seen_by_adam = _open(quinn, url), _open(adam, url)

    assert quinn.post(url, {**seen_by_quinn, "target": "97"}).status_code == 302
    # Adam changes another field; his save would still have been made on what he saw.
    refused = adam.post(url, {**seen_by_adam, "title": "On-time delivery"})

    page = _assert_refused(refused, "Quality objective OBJ-01", "Quinn Test")
    assert edit_form(page)["target"] == ["97.000000"]  # the current target is shown
    objective.refresh_from_db()
    assert (objective.title, objective.target) == ("Objective OBJ-01", 97)


def test_the_second_of_two_action_edits_is_refused_and_the_first_is_kept(cast, raise_action):
    action = raise_action()
    url = reverse("core:action-edit", args=["acme-test", action.number])
    quinn, alice = _browser(cast.quinn), _browser(cast.alice)
    seen_by_quinn, seen_by_alice = _open(quinn, url), _open(alice, url)

    assert quinn.post(url, {**seen_by_quinn, "title": "Replace the CMM"}).status_code == 302
    refused = alice.post(url, {**seen_by_alice, "title": "Recalibrate the CMM twice"})

    page = _assert_refused(refused, f"Action {action.reference}", "Quinn Test")
    assert 'value="Replace the CMM"' in page
    action.refresh_from_db()
    assert action.title == "Replace the CMM"
    assert Action.history.model.objects.filter(id=action.pk).count() == 2


def test_the_second_of_two_policy_draft_edits_is_refused_and_the_first_is_kept(cast):
    from leadership.services import policy as policy_services

    quinn_member = _member(cast, cast.quinn)
    policy = policy_services.policy_get_or_create(organization=cast.org_a, actor=cast.quinn)
    version = policy_services.policy_version_create_draft(
        policy=policy, membership=quinn_member, text="We put customers first."
    )
    url = reverse("leadership:policy-edit", args=["acme-test", version.number])
    quinn, alice = _browser(cast.quinn), _browser(cast.alice)
    seen_by_quinn, seen_by_alice = _open(quinn, url), _open(alice, url)

    saved = quinn.post(url, {**seen_by_quinn, "text": "We put customers and safety first."})
    assert saved.status_code == 302
    refused = alice.post(url, {**seen_by_alice, "change_summary": "Tone"})

    page = _assert_refused(refused, "Policy version 1", "Quinn Test")
    assert edit_form(page)["text"] == ["We put customers and safety first."]
    version.refresh_from_db()
    assert (version.text, version.change_summary) == ("We put customers and safety first.", "")


def test_the_second_of_two_minutes_edits_is_refused_and_the_first_is_kept(cast, members):
    from reviews.services import management_reviews as reviews

    held = datetime.date(2026, 4, 14)
    review = reviews.review_plan(
        membership=members["quinn"], planned_on=datetime.date(2026, 3, 31), title="Q1 review"
    )
    reviews.review_prepare(review=review, membership=members["quinn"], today=held)
    review = reviews.review_hold(
        review=review, membership=members["quinn"], held_on=held, today=held
    )
    page = reverse("reviews:detail", args=["acme-test", review.number])
    url = reverse("reviews:record", args=["acme-test", review.number])
    quinn, alice = _browser(cast.quinn), _browser(cast.alice)
    seen_by_quinn = edit_form(quinn.get(page).content, marker="minutes")
    seen_by_alice = edit_form(alice.get(page).content, marker="minutes")
    assert "loaded_version" in seen_by_alice

    assert quinn.post(url, {**seen_by_quinn, "minutes": "Targets agreed."}).status_code == 302
    refused = alice.post(url, {**seen_by_alice, "minutes": "Budget approved."}, follow=True)

    assert f"Management review {review.reference} was changed by Quinn Test" in (
        refused.content.decode()
    )
    review.refresh_from_db()
    assert review.minutes == "Targets agreed."


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_of_one_version_cannot_both_pass(cast, monkeypatch):
    """The check and the save are one step: each save, having passed the check, waits (up to a
    second) for the other to pass it too. With the row locked the other cannot, so the first
    saves, and the other then finds the new version; a check without the lock let both save."""
    import contextlib
    import threading

    from django.db import connection

    from qms.core import forms as core_forms

    assert connection.vendor == "postgresql"
    risk = _risk(cast)
    url = reverse("registers:risks-edit", args=["acme-test", risk.pk])
    quinn, alice = _browser(cast.quinn), _browser(cast.alice)
    seen = {"quinn": _open(quinn, url), "alice": _open(alice, url)}
    both_checked = threading.Barrier(2, timeout=1)
    real_check = core_forms.lock_unchanged

    def check_then_wait(record, loaded):
        locked = real_check(record, loaded)
        # A broken barrier: the other save is waiting for the lock; go on.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_checked.wait()
        return locked

    monkeypatch.setattr(core_forms, "lock_unchanged", check_then_wait)
    answers = {}

    def save(who, browser, title):
        try:
            answers[who] = browser.post(url, {**seen[who], "title": title}).status_code
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=("quinn", quinn, "Quinn's title")),
        threading.Thread(target=save, args=("alice", alice, "Alice's title")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers.values()) == [302, 409]
    saved_by = next(who for who, status in answers.items() if status == 302)
    risk.refresh_from_db()
    assert risk.title == f"{saved_by.capitalize()}'s title"
