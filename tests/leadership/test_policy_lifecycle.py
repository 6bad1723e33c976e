"""The quality policy's lifecycle: each step, each forbidden step, immutability, acknowledgement."""

import pytest

from leadership.models import PolicyAcknowledgement, PolicyVersion
from leadership.selectors import policy as selectors
from leadership.services import policy as s
from qms.core.immutable import ImmutableRecordError, NotAllowed, TransitionError

pytestmark = pytest.mark.django_db


def test_full_lifecycle_records_who_and_when(published, members):
    assert published.status == "published"
    assert published.approved_by == members["alice"] and published.approval_comment == "Agreed"
    reasons = [h.history_change_reason for h in published.history.order_by("history_date")]
    assert reasons == ["Draft started", "Submitted for approval", "Approved", "Published"]
    assert [h.history_user.username for h in published.history.order_by("history_date")] == [
        "quinn",
        "quinn",
        "alice",
        "quinn",
    ]


def test_publishing_supersedes_the_previous_version(published, policy, members):
    v2 = s.policy_version_create_draft(policy=policy, membership=members["quinn"])
    assert v2.text == published.text  # a new version starts from the one in force
    s.policy_version_update_draft(
        version=v2, membership=members["quinn"], text="We delight customers."
    )
    s.policy_version_submit(version=v2, membership=members["quinn"])
    s.policy_version_approve(version=v2, approver=members["alice"])
    s.policy_version_publish(version=v2, membership=members["quinn"])
    published.refresh_from_db()
    assert published.status == "superseded" and published.superseded_at is not None
    assert selectors.current_version(policy.organization).number == 2


def test_approved_text_cannot_be_edited_by_the_service(published, members):
    with pytest.raises(TransitionError, match="can no longer be edited"):
        s.policy_version_update_draft(
            version=published, membership=members["quinn"], text="Changed"
        )
    published.refresh_from_db()
    assert published.text == "We satisfy customers."


def test_approved_text_cannot_be_changed_even_bypassing_the_service(published):
    published.text = "Sneaky change"
    with pytest.raises(ImmutableRecordError, match="evidence"):
        published.save()
    assert PolicyVersion.objects.get(pk=published.pk).text == "We satisfy customers."


@pytest.mark.parametrize("username", ["quinn", "carl", "adam", "audrey"])
def test_only_executives_approve(policy, members, username):
    version = s.policy_version_create_draft(policy=policy, membership=members["quinn"], text="Text")
    s.policy_version_submit(version=version, membership=members["quinn"])
    with pytest.raises(NotAllowed):
        s.policy_version_approve(version=version, approver=members[username])
    version.refresh_from_db()
    assert version.status == "submitted" and version.approved_by is None


def test_a_draft_cannot_be_approved_without_being_submitted(policy, members):
    version = s.policy_version_create_draft(policy=policy, membership=members["quinn"], text="Text")
    with pytest.raises(TransitionError, match="submitted"):
        s.policy_version_approve(version=version, approver=members["alice"])


def test_an_unapproved_version_cannot_be_published(policy, members):
    version = s.policy_version_create_draft(policy=policy, membership=members["quinn"], text="Text")
    s.policy_version_submit(version=version, membership=members["quinn"])
    with pytest.raises(TransitionError, match="approved"):
        s.policy_version_publish(version=version, membership=members["quinn"])


def test_contributors_and_auditors_cannot_draft(policy, members):
    for username in ("carl", "audrey"):
        with pytest.raises(NotAllowed):
            s.policy_version_create_draft(policy=policy, membership=members[username], text="X")
    assert not PolicyVersion.objects.exists()


def test_only_one_version_is_prepared_at_a_time(policy, members):
    s.policy_version_create_draft(policy=policy, membership=members["quinn"], text="A")
    with pytest.raises(TransitionError, match="already being prepared"):
        s.policy_version_create_draft(policy=policy, membership=members["alice"], text="B")


def test_returned_draft_carries_the_comment_and_can_be_edited(policy, members):
    version = s.policy_version_create_draft(policy=policy, membership=members["quinn"], text="Text")
    s.policy_version_submit(version=version, membership=members["quinn"])
    with pytest.raises(TransitionError, match="Say what should change"):
        s.policy_version_return(version=version, approver=members["alice"], comment="  ")
    returned = s.policy_version_return(
        version=version, approver=members["alice"], comment="Mention customers"
    )
    assert returned.status == "draft" and returned.returned_comment == "Mention customers"
    s.policy_version_update_draft(
        version=returned, membership=members["quinn"], text="Text for customers"
    )


def test_empty_draft_cannot_be_submitted(policy, members):
    version = s.policy_version_create_draft(policy=policy, membership=members["quinn"])
    with pytest.raises(TransitionError, match="empty"):
        s.policy_version_submit(version=version, membership=members["quinn"])


def test_acknowledging_is_once_per_member_and_only_for_the_published_version(
    published, policy, members
):
    s.policy_acknowledge(version=published, membership=members["carl"])
    s.policy_acknowledge(version=published, membership=members["carl"])
    assert PolicyAcknowledgement.objects.count() == 1
    draft = s.policy_version_create_draft(policy=policy, membership=members["quinn"], text="Next")
    with pytest.raises(TransitionError, match="published version"):
        s.policy_acknowledge(version=draft, membership=members["carl"])


def test_acknowledgement_rates_and_pending_members(published, members):
    for username in ("carl", "quinn"):
        s.policy_acknowledge(version=published, membership=members[username])
    total, _ = selectors.acknowledgement_rates(published)
    # Staff = alice, quinn, carl, adam (auditors are not counted).
    assert (total.acknowledged, total.members, total.percent) == (2, 4, 50)
    pending = {m.user.username for m in selectors.pending_acknowledgements(published)}
    assert pending == {"alice", "adam"}


def test_commitment_without_active_objective_is_flagged(policy, cast):
    from tests.objectives.factories import make_objective

    commitments = {c.kind: c for c in selectors.commitments(policy)}
    assert commitments["requirements"].has_active_objective is False
    objective = make_objective(cast, code="OBJ-01")
    s.commitment_save(
        commitment=commitments["requirements"], actor=cast.quinn, objectives=[objective]
    )
    flagged = {c.kind: c.has_active_objective for c in selectors.commitments(policy)}
    assert flagged == {"requirements": True, "improvement": False}


def test_commitment_cannot_link_another_organisations_objective(policy, cast):
    from tests.objectives.factories import make_objective

    foreign = make_objective(cast, code="OBJ-B1", org=cast.org_b)
    commitment = policy.commitments.first()
    with pytest.raises(TransitionError):
        s.commitment_save(commitment=commitment, actor=cast.quinn, objectives=[foreign])
    assert not commitment.objectives.exists()


def test_diff_shows_added_and_removed_lines(published, policy, members):
    v2 = s.policy_version_create_draft(
        policy=policy, membership=members["quinn"], text="We satisfy customers.\nWe improve."
    )
    lines = selectors.diff(published, v2)
    assert [(line.kind, line.text) for line in lines] == [
        ("same", "We satisfy customers."),
        ("added", "We improve."),
    ]
