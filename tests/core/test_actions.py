"""Actions (10.2): lifecycle, who may take each step, invariants, sources and the period summary."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from qms.core.actions import selectors, services
from qms.core.actions.models import Action, EffectivenessCheck
from qms.core.actions.sources import resolve_source_ref, source_ref
from qms.core.audit import record_history
from qms.core.immutable import NotAllowed, TransitionError
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db


def test_an_action_goes_from_open_to_verified_effective(members, raise_action):
    action = raise_action()
    assert (action.status, action.reference) == ("open", "ACT-0001")
    action = services.action_start(action=action, actor=members["carl"])
    assert action.status == "in_progress"
    action = services.action_close(action=action, actor=members["carl"], note="Recalibrated.")
    assert action.status == "done" and action.closed_by == members["carl"]
    action = services.action_verify(
        action=action, verifier=members["quinn"], result="effective", evidence="3 months in spec."
    )
    assert action.status == "verified" and action.verified_by == members["quinn"]
    reasons = [entry.reason for entry in record_history(action)]
    assert reasons == ["Verified effective", "Closed", "Started", "Raised"]


def test_numbers_count_up_per_organisation(cast, members, raise_action):
    first, second = raise_action(), raise_action()
    other = make_objective(cast, org=cast.org_b)  # makes bob an executive of B
    foreign = services.action_create(
        organization=cast.org_b,
        raised_by=members["bob"],
        title="Elsewhere",
        owner=members["bob"],
        accountable_executive=other.accountable_executive,
        due_date=timezone.localdate(),
    )
    assert (first.number, second.number, foreign.number) == (1, 2, 1)


def test_not_effective_reopens_the_action_and_keeps_the_check(members, raise_action):
    action = raise_action()
    services.action_close(action=action, actor=members["carl"], note="Trained the team.")
    new_due = timezone.localdate() + datetime.timedelta(days=60)
    action = services.action_verify(
        action=action,
        verifier=members["alice"],
        result="not_effective",
        evidence="Two more escapes in May.",
        new_due_date=new_due,
    )
    assert action.status == "open" and action.closed_at is None and action.due_date == new_due
    assert action.verification_result == "not_effective"
    check = EffectivenessCheck.objects.get()
    assert (check.result, check.checked_by) == ("not_effective", members["alice"])
    assert "Not effective: reopened" in record_history(action)[0].reason
    # The work goes on: the owner closes it again and it can now be verified effective.
    services.action_close(action=action, actor=members["carl"], note="Poka-yoke fitted.")
    action = services.action_verify(
        action=action, verifier=members["alice"], result="effective", evidence="No escapes."
    )
    assert action.status == "verified" and action.effectiveness_checks.count() == 2


def test_the_owner_cannot_verify_their_own_action(members, raise_action):
    action = raise_action(owner=members["quinn"])
    services.action_close(action=action, actor=members["quinn"], note="Done.")
    with pytest.raises(NotAllowed, match="cannot check the effectiveness of their own"):
        services.action_verify(
            action=action, verifier=members["quinn"], result="effective", evidence="Fine."
        )
    assert Action.objects.get().status == "done"


def test_contributors_and_auditors_cannot_verify(members, raise_action):
    action = raise_action(owner=members["adam"])
    services.action_close(action=action, actor=members["adam"], note="Done.")
    for who in ("carl", "audrey"):
        with pytest.raises(NotAllowed):
            services.action_verify(
                action=action, verifier=members[who], result="effective", evidence="x"
            )


def test_an_open_action_cannot_be_verified(members, raise_action):
    action = raise_action()
    with pytest.raises(TransitionError, match="only a done action"):
        services.action_verify(
            action=action, verifier=members["quinn"], result="effective", evidence="x"
        )
    assert not EffectivenessCheck.objects.exists()


def test_closing_needs_a_note(members, raise_action):
    action = raise_action()
    with pytest.raises(ValidationError) as error:
        services.action_close(action=action, actor=members["carl"], note="   ")
    assert "Say what was done" in str(error.value)
    assert Action.objects.get().status == "open"


def test_a_contributor_cannot_close_someone_elses_action(members, raise_action):
    action = raise_action(owner=members["adam"])
    with pytest.raises(NotAllowed):
        services.action_close(action=action, actor=members["carl"], note="Done.")
    with pytest.raises(NotAllowed):
        services.action_start(action=action, actor=members["carl"])
    assert Action.objects.get().status == "open"


def test_a_quality_manager_closes_on_the_owners_behalf(members, raise_action):
    action = raise_action()
    action = services.action_close(action=action, actor=members["quinn"], note="Done for Carl.")
    assert action.closed_by == members["quinn"]


def test_auditors_never_write(members, raise_action):
    action = raise_action()
    auditor = members["audrey"]
    with pytest.raises(NotAllowed):
        services.action_update(action=action, actor=auditor, title="Changed")
    with pytest.raises(NotAllowed):
        services.action_cancel(action=action, actor=auditor, reason="No")
    with pytest.raises(NotAllowed):
        raise_action(raised_by=auditor, owner=members["carl"])
    assert Action.objects.get().title == "Recalibrate the CMM"


def test_contributors_raise_actions_only_for_themselves(members, raise_action):
    own = raise_action(raised_by=members["carl"], owner=members["carl"])
    assert own.raised_by == members["carl"]
    with pytest.raises(NotAllowed, match="they own themselves"):
        raise_action(raised_by=members["carl"], owner=members["adam"])
    with pytest.raises(NotAllowed):
        services.action_update(action=own, actor=members["carl"], title="Mine now")


def test_owner_and_executive_must_fit(members, raise_action):
    cases = [
        ({"owner": members["bob"]}, "owner", "member of this organisation"),
        ({"owner": members["audrey"]}, "owner", "Auditors cannot own"),
        ({"accountable_executive": members["quinn"]}, "accountable_executive", "executive"),
        ({"accountable_executive": members["bob"]}, "accountable_executive", "this organisation"),
        ({"title": "x" * 201}, "title", "at most 200"),
        ({"due_date": timezone.localdate() - datetime.timedelta(days=1)}, "due_date", "past"),
        ({"due_date": "soon"}, "due_date", "as a date"),
    ]
    for overrides, field, message in cases:
        with pytest.raises(ValidationError) as error:
            raise_action(**overrides)
        assert message in " ".join(error.value.message_dict[field]), overrides
    assert not Action.objects.exists()


def test_editing_moves_the_due_date_with_a_reason_in_the_history(members, raise_action):
    action = raise_action()
    new_due = action.due_date + datetime.timedelta(days=14)
    action = services.action_update(action=action, actor=members["alice"], due_date=new_due)
    assert action.due_date == new_due
    assert record_history(action)[0].reason.startswith("Due date moved from")


def test_closed_actions_can_no_longer_be_edited_or_cancelled(members, raise_action):
    action = raise_action()
    services.action_close(action=action, actor=members["carl"], note="Done.")
    with pytest.raises(TransitionError, match="can no longer be edited"):
        services.action_update(action=action, actor=members["quinn"], title="Changed")
    with pytest.raises(TransitionError, match="cannot be cancelled"):
        services.action_cancel(action=action, actor=members["quinn"], reason="Not needed")


def test_cancelling_needs_a_reason_and_an_editor(members, raise_action):
    action = raise_action()
    with pytest.raises(ValidationError):
        services.action_cancel(action=action, actor=members["quinn"], reason="")
    with pytest.raises(NotAllowed):
        services.action_cancel(action=action, actor=members["carl"], reason="Mine anyway")
    action = services.action_cancel(action=action, actor=members["alice"], reason="Superseded")
    assert (action.status, action.closing_note) == ("cancelled", "Superseded")


def test_the_database_refuses_a_done_action_without_closing_details(members, raise_action):
    action = raise_action()
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.filter(pk=action.pk).update(status="done")


def test_an_action_raised_from_an_objective_links_back_to_it(cast, members, raise_action):
    objective = make_objective(cast)
    action = raise_action(source=objective)
    assert list(selectors.actions_for_source(objective)) == [action]
    [shown] = selectors.attach_sources([action])
    assert shown.source_info.kind == "objective"
    assert shown.source_info.url == "/o/acme-test/objectives/OBJ-01/"
    assert source_ref(objective) == f"objectives.qualityobjective:{objective.pk}"


def test_a_source_of_another_organisation_is_refused(cast, raise_action):
    foreign = make_objective(cast, org=cast.org_b, code="B-01")
    with pytest.raises(ValidationError) as error:
        raise_action(source=foreign)
    assert "no objective" in " ".join(error.value.message_dict["source"])
    assert not Action.objects.exists()


def test_source_references_are_checked(cast):
    objective = make_objective(cast)
    assert resolve_source_ref(source_ref(objective), organization=cast.org_a) == objective
    for ref, message in [
        ("nonsense", "not a source reference"),
        ("core.membership:1", "cannot raise actions"),
        ("nope.nothing:1", "cannot raise actions"),
        (f"objectives.qualityobjective:{objective.pk + 99}", "There is no objective"),
    ]:
        with pytest.raises(ValidationError, match=message):
            resolve_source_ref(ref, organization=cast.org_a)
    with pytest.raises(ValidationError, match="There is no objective"):
        resolve_source_ref(source_ref(objective), organization=cast.org_b)


def test_overdue_means_past_due_and_not_done(members, raise_action):
    today = timezone.localdate()
    late = raise_action(title="Late")
    done = raise_action(title="Done late")
    services.action_close(action=done, actor=members["carl"], note="Done.")
    raise_action(title="Not yet due")
    later = today + datetime.timedelta(days=31)
    overdue = Action.objects.for_organization(late.organization).overdue(later)
    assert list(overdue.values_list("title", flat=True)) == ["Late", "Not yet due"]
    assert selectors.status_counts(organization=late.organization, today=later)["overdue"] == 2


def test_list_filters(cast, members, raise_action):
    objective = make_objective(cast)
    raise_action(title="From objective", source=objective)
    raise_action(title="By hand", owner=members["adam"])
    org = cast.org_a

    def titles(**filters):
        filters = selectors.ActionFilters(**filters)
        return sorted(a.title for a in selectors.action_list(organization=org, filters=filters))

    assert titles(source_kind="manual") == ["By hand"]
    assert titles(source_kind="objective") == ["From objective"]
    assert titles(source_kind="unknown") == []
    assert titles(owner_id=members["adam"].id) == ["By hand"]
    assert titles(search="ACT-0001") == ["From objective"]
    assert titles(status="done") == []


def test_my_actions_are_the_open_ones_i_own(members, raise_action):
    mine = raise_action()
    closed = raise_action()
    services.action_close(action=closed, actor=members["carl"], note="Done.")
    raise_action(owner=members["adam"])
    assert list(selectors.my_actions(members["carl"])) == [mine]
    assert list(selectors.awaiting_verification(members["quinn"])) == [closed]
    assert list(selectors.awaiting_verification(members["carl"])) == []


def _at(day: str):
    return time_machine.travel(datetime.datetime.fromisoformat(f"{day}T10:00:00+00:00"), tick=False)


def test_summary_counts_a_period_on_known_data(members, raise_action):
    carl, quinn = members["carl"], members["quinn"]
    with _at("2025-01-10"):
        # Raised before the period, still open at its end: overdue, 80 days old.
        raise_action(title="Old", due_date=datetime.date(2025, 2, 1))
        on_time = raise_action(title="On time", due_date=datetime.date(2025, 2, 28))
    with _at("2025-02-05"):
        late = raise_action(title="Late", due_date=datetime.date(2025, 2, 10))
        cancelled = raise_action(title="Cancelled", due_date=datetime.date(2025, 3, 1))
        raise_action(title="Open, not due", due_date=datetime.date(2025, 6, 1))
        failed = raise_action(title="Not effective", due_date=datetime.date(2025, 3, 1))
    with _at("2025-02-20"):
        services.action_close(action=on_time, actor=carl, note="Done.")
        services.action_cancel(action=cancelled, actor=quinn, reason="Duplicate")
    with _at("2025-03-01"):
        services.action_close(action=failed, actor=carl, note="Done.")
    with _at("2025-03-15"):
        services.action_close(action=late, actor=carl, note="Done.")
        services.action_verify(action=on_time, verifier=quinn, result="effective", evidence="OK")
        services.action_verify(action=failed, verifier=quinn, result="not_effective", evidence="No")
    with _at("2025-04-05"):
        raise_action(title="After the period", due_date=datetime.date(2025, 5, 1))

    summary = selectors.actions_summary(
        organization=carl.organization,
        start=datetime.date(2025, 2, 1),
        end=datetime.date(2025, 3, 31),
        today=datetime.date(2025, 6, 30),
    )
    # A closure undone by a failed effectiveness check does not count as closed.
    assert (summary.raised, summary.closed, summary.cancelled) == (4, 2, 1)
    assert (summary.closed_on_time, summary.closed_late) == (1, 1)
    assert summary.on_time_rate == 0.5
    assert (summary.verified_effective, summary.not_effective) == (1, 1)
    # At 31 March: "Old", "Open, not due" and "Not effective" (reopened) are open; "Old" and
    # "Not effective" are past their due dates.
    assert (summary.open_at_end, summary.overdue_at_end) == (3, 2)
    assert summary.open_by_age == {"0-30": 0, "31-60": 2, "61-90": 1, "over-90": 0}


def test_summary_of_a_period_not_yet_ended_counts_up_to_today(members, raise_action):
    with _at("2025-03-01"):
        raise_action(due_date=datetime.date(2025, 3, 10))
    summary = selectors.actions_summary(
        organization=members["carl"].organization,
        start=datetime.date(2025, 1, 1),
        end=datetime.date(2025, 12, 31),
        today=datetime.date(2025, 3, 20),
    )
    assert summary.as_of == datetime.date(2025, 3, 20)
    assert (summary.raised, summary.overdue_at_end, summary.open_by_age["0-30"]) == (1, 1, 1)


def test_the_demo_has_actions_in_every_state():
    from tests.seeded import seeded_demo

    context = seeded_demo()
    acme, today = context.organization, context.today
    actions = Action.objects.for_organization(acme)
    count = actions.count()
    assert count >= 12  # the actions step's 12, and those the registers' demo raises
    kinds = set(actions.values_list("source_type__model", flat=True))
    assert {None, "qualityobjective", "risk", "nonconformity", "auditfinding"} <= kinds
    assert actions.overdue(today).count() >= 3
    assert actions.filter(source_type__isnull=False).count() >= 5
    statuses = set(actions.values_list("status", flat=True))
    assert statuses == {"open", "in_progress", "done", "verified", "cancelled"}
    # The actions step's four, and those of older reviews found effective at the next meeting.
    checks = EffectivenessCheck.objects.filter(action__organization=acme)
    checked = checks.count()
    assert checked >= 8
    reopened = actions.get(verification_result="not_effective")
    assert reopened.status == "open" and reopened.due_date > today
    assert actions.filter(created_at__date__lt=today).count() >= 12  # backdated history
