"""The quality policy's lifecycle (ISO 9001 5.2): draft → submitted → approved → published, and
acknowledgement by members. Every step is audited; approved text never changes."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from leadership.models import PolicyAcknowledgement, PolicyCommitment, PolicyVersion, QualityPolicy
from qms.core.immutable import NotAllowed, TransitionError
from qms.core.models import Membership, Organization
from qms.core.notifications.services import waiting_refresh
from qms.core.roles import APPROVER_ROLES, QUALITY_EDITOR_ROLES, Role
from qms.core.webhooks.services import emit

DRAFTER_ROLES = QUALITY_EDITOR_ROLES | APPROVER_ROLES

DEFAULT_COMMITMENTS = [
    (
        PolicyCommitment.Kind.REQUIREMENTS,
        "Satisfy applicable requirements of customers, law and regulation",
    ),
    (PolicyCommitment.Kind.IMPROVEMENT, "Continually improve the quality management system"),
]


def _require_role(membership: Membership, roles, doing: str) -> None:
    if membership.role not in roles:
        raise NotAllowed(f"Your role ({membership.get_role_display().lower()}) cannot {doing}.")


def _locked(version: PolicyVersion) -> PolicyVersion:
    return PolicyVersion.objects.select_for_update().get(pk=version.pk)


def _save(version: PolicyVersion, actor, reason: str) -> PolicyVersion:
    version._history_user = actor
    version._change_reason = reason
    version.full_clean()
    version.save()
    # A version waiting for approval reaches the executives once, and leaves them once decided.
    waiting_refresh(organization=version.organization, about=version)
    return version


@transaction.atomic
def policy_get_or_create(*, organization: Organization, actor=None) -> QualityPolicy:
    policy = QualityPolicy.objects.filter(organization=organization).first()
    if policy is None:
        policy = QualityPolicy(organization=organization)
        policy._history_user = actor
        policy.save()
        for order, (kind, text) in enumerate(DEFAULT_COMMITMENTS):
            commitment = PolicyCommitment(
                organization=organization, policy=policy, kind=kind, text=text, order=order
            )
            commitment._history_user = actor
            commitment.save()
    return policy


@transaction.atomic
def policy_version_create_draft(
    *,
    policy: QualityPolicy,
    membership: Membership,
    text: str = "",
    change_summary: str = "",
    is_material_change: bool = True,
) -> PolicyVersion:
    """Start a new version. Its text starts as the version in force unless given."""
    _require_role(membership, DRAFTER_ROLES, "draft the quality policy")
    QualityPolicy.objects.select_for_update().get(pk=policy.pk)  # one new version at a time
    if policy.versions.filter(status__in=["draft", "submitted", "approved"]).exists():
        raise TransitionError(
            "A new version is already being prepared; edit it instead of starting another."
        )
    current = policy.versions.filter(status=PolicyVersion.Status.PUBLISHED).first()
    number = (policy.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = PolicyVersion(
        organization_id=policy.organization_id,
        policy=policy,
        number=number,
        text=text or (current.text if current else ""),
        change_summary=change_summary,
        is_material_change=is_material_change,
        drafted_by=membership.user,
    )
    try:
        return _save(version, membership.user, "Draft started")
    except IntegrityError as error:  # a concurrent request started one first
        raise TransitionError("A new version is already being prepared.") from error


@transaction.atomic
def policy_version_update_draft(
    *,
    version: PolicyVersion,
    membership: Membership,
    text: str,
    change_summary: str = "",
    is_material_change: bool = True,
) -> PolicyVersion:
    _require_role(membership, DRAFTER_ROLES, "edit the quality policy")
    version = _locked(version)
    if version.status != PolicyVersion.Status.DRAFT:
        raise TransitionError(
            f"Version {version.number} is {version.get_status_display().lower()} and can no "
            "longer be edited. Start a new version to change the policy."
        )
    version.text = text
    version.change_summary = change_summary
    version.is_material_change = is_material_change
    return _save(version, membership.user, "Draft edited")


@transaction.atomic
def policy_version_submit(*, version: PolicyVersion, membership: Membership) -> PolicyVersion:
    _require_role(membership, DRAFTER_ROLES, "submit the quality policy for approval")
    version = _locked(version)
    if version.status != PolicyVersion.Status.DRAFT:
        raise TransitionError("Only a draft can be submitted for approval.")
    if not version.text.strip():
        raise TransitionError("The policy text is empty: write it before submitting.")
    version.status = PolicyVersion.Status.SUBMITTED
    version.submitted_by = membership.user
    version.submitted_at = timezone.now()
    version.returned_comment = ""
    return _save(version, membership.user, "Submitted for approval")


@transaction.atomic
def policy_version_return(
    *, version: PolicyVersion, approver: Membership, comment: str
) -> PolicyVersion:
    """An executive sends a submitted draft back with what to change."""
    _require_role(approver, APPROVER_ROLES, "return the policy (only executives decide on it)")
    version = _locked(version)
    if version.status != PolicyVersion.Status.SUBMITTED:
        raise TransitionError("Only a submitted version can be returned.")
    if not comment.strip():
        raise TransitionError("Say what should change when returning a draft.")
    version.status = PolicyVersion.Status.DRAFT
    version.returned_comment = comment.strip()
    return _save(version, approver.user, f"Returned: {comment.strip()}")


@transaction.atomic
def policy_version_approve(
    *, version: PolicyVersion, approver: Membership, comment: str = ""
) -> PolicyVersion:
    _require_role(approver, APPROVER_ROLES, "approve the quality policy (only executives can)")
    if approver.organization_id != version.organization_id:
        raise TransitionError("Only an executive of this organisation can approve its policy.")
    version = _locked(version)
    if version.status != PolicyVersion.Status.SUBMITTED:
        raise TransitionError("Only a version submitted for approval can be approved.")
    version.status = PolicyVersion.Status.APPROVED
    version.approved_by = approver
    version.approved_at = timezone.now()
    version.approval_comment = comment.strip()
    return _save(version, approver.user, "Approved")


@transaction.atomic
def policy_version_publish(*, version: PolicyVersion, membership: Membership) -> PolicyVersion:
    """Put an approved version in force; the one in force until now is superseded."""
    _require_role(membership, DRAFTER_ROLES, "publish the quality policy")
    version = _locked(version)
    if version.status != PolicyVersion.Status.APPROVED:
        raise TransitionError("Only an approved version can be published.")
    now = timezone.now()
    for previous in PolicyVersion.objects.select_for_update().filter(
        policy_id=version.policy_id, status=PolicyVersion.Status.PUBLISHED
    ):
        previous.status = PolicyVersion.Status.SUPERSEDED
        previous.superseded_at = now
        _save(previous, membership.user, f"Superseded by version {version.number}")
        if not version.is_material_change:
            # A wording fix: who acknowledged the version in force need not do it again.
            PolicyAcknowledgement.objects.bulk_create(
                [
                    PolicyAcknowledgement(
                        organization_id=a.organization_id, version=version,
                        membership_id=a.membership_id, acknowledged_at=a.acknowledged_at,
                        carried_over=True,
                    )
                    for a in previous.acknowledgements.all()
                ],
                ignore_conflicts=True,
            )  # fmt: skip
    version.status = PolicyVersion.Status.PUBLISHED
    version.published_by = membership.user
    version.published_at = now
    version = _save(version, membership.user, "Published")
    emit(
        version.organization_id,
        "policy.published",
        f"policy-version:{version.pk}",
        {"version": version.number, "published_at": now.isoformat(),
         "change_summary": version.change_summary},
    )  # fmt: skip
    return version


@transaction.atomic
def policy_acknowledge(*, version: PolicyVersion, membership: Membership) -> PolicyAcknowledgement:
    """Record that the member has read the version in force (idempotent)."""
    if version.organization_id != membership.organization_id:
        raise TransitionError("This policy is not your organisation's.")
    if membership.role == Role.AUDITOR:
        raise NotAllowed(
            "Auditors read the policy; acknowledgement is for the organisation's staff."
        )
    if version.status != PolicyVersion.Status.PUBLISHED:
        raise TransitionError("Only the published version can be acknowledged.")
    acknowledgement, _ = PolicyAcknowledgement.objects.get_or_create(
        version=version,
        membership=membership,
        defaults={"organization_id": version.organization_id, "acknowledged_at": timezone.now()},
    )
    return acknowledgement


@transaction.atomic
def commitment_save(*, commitment: PolicyCommitment, actor, objectives=None) -> PolicyCommitment:
    commitment._history_user = actor
    commitment.full_clean()
    commitment.save()
    if objectives is not None:
        foreign = [o for o in objectives if o.organization_id != commitment.organization_id]
        if foreign:
            raise TransitionError("Link only objectives of this organisation.")
        commitment.objectives.set(objectives)
    return commitment
