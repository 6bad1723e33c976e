"""Invitations' rules: who may invite whom, the signed link, sending again, withdrawing, and
accepting (with a new account, an existing one, or the company sign-in).

The link carries the invitation's id and its current nonce, signed with the site's secret key
(`django.core.signing`): the database alone cannot forge one, a new send replaces the nonce so
older e-mails' links stop working, and the e-mail task can rebuild the link without the
database keeping it.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone

from qms.core.immutable import TransitionError
from qms.core.invitations.models import Invitation, invitation_days, new_nonce
from qms.core.models import Membership, Organization, OrgUnit
from qms.core.outbox import enqueue
from qms.core.services import membership_terms, require_administrator

SALT = "qms.invitation.v1"


class InvitationInvalid(Exception):
    """The link is not one this site made, or a newer e-mail replaced it. Its message is the
    sentence to show."""


def _day(value) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return formats.date_format(value, "j F Y")


def token_for(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=SALT)


def link_for(invitation: Invitation) -> str:
    return reverse("invitation", args=[token_for(invitation)])


def invitation_from_token(token: str) -> Invitation:
    """The invitation a link names; InvitationInvalid if the link is not genuine or was
    replaced. Its state (expired, withdrawn, accepted) is the caller's to read."""
    try:
        data = signing.loads(token, salt=SALT)
        pk, nonce = int(data["i"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise InvitationInvalid(
            "This invitation link is not valid. Check that the whole link was copied from the "
            "e-mail, or ask the person who invited you to send it again."
        ) from None
    invitation = (
        Invitation.objects.select_related("organization", "invited_by__user", "org_unit")
        .filter(pk=pk)
        .first()
    )
    if invitation is None:
        raise InvitationInvalid("This invitation no longer exists. Ask for a new one.")
    if invitation.nonce != nonce:
        raise InvitationInvalid(
            f"This link was replaced by a newer invitation e-mail to {invitation.email}: use "
            "the link in the newest e-mail."
        )
    return invitation


def closed_reason(invitation: Invitation, now=None) -> str | None:
    """Why the invitation can no longer be accepted, as a sentence; None while it can."""
    state = invitation.state(now)
    who = invitation.invited_by.display_name if invitation.invited_by else "an administrator"
    org = invitation.organization.name
    if state == Invitation.State.EXPIRED:
        return (
            f"This invitation to {org} expired on {_day(invitation.expires_at)}. Ask {who} to "
            "send it again."
        )
    if state == Invitation.State.REVOKED:
        return f"This invitation to {org} was withdrawn on {_day(invitation.revoked_at)}."
    if state == Invitation.State.ACCEPTED:
        return (
            f"This invitation to {org} was accepted on {_day(invitation.accepted_at)}. Sign in "
            "to open it."
        )
    return None


def _refuse_if_member(organization: Organization, email: str) -> None:
    existing = (
        Membership.objects.for_organization(organization.id)
        .filter(user__email__iexact=email)
        .select_related("user")
        .first()
    )
    if existing is None:
        return
    name = existing.display_name
    if existing.has_left:
        message = (
            f"{name} ({email}) was a member and was deactivated: reactivate them on their page "
            "instead, with the role they should have."
        )
    elif not existing.is_active:
        message = (
            f"{name} ({email}) has signed in with the company account and waits for a role: "
            "give it on their page instead."
        )
    else:
        message = (
            f"{name} ({email}) is already a member ({existing.get_role_display().lower()}): "
            "change their role on their page instead."
        )
    raise ValidationError({"email": message})


@transaction.atomic
def invitation_create(
    *,
    organization: Organization,
    actor: Membership,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    org_unit: OrgUnit | None = None,
    job_title: str = "",
    access_expires_on: datetime.date | None = None,
) -> Invitation:
    """Invite `email` with the role, unit and access they will have; the e-mail leaves once the
    transaction commits (through the outbox: a broker that is down delays it, loses nothing).
    Refused with a sentence, changing nothing: a current, waiting or former member's address
    (their page is the place), an open invitation to the same address, the membership rules."""
    require_administrator(actor, organization.id, "invite people")
    email = email.strip().lower()
    access_expires_on = membership_terms(
        organization_id=organization.id,
        role=role,
        org_unit=org_unit,
        access_expires_on=access_expires_on,
    )
    _refuse_if_member(organization, email)
    now = timezone.now()
    for earlier in (
        Invitation.objects.for_organization(organization.id)
        .open()
        .select_for_update()
        .filter(email__iexact=email)
    ):
        if earlier.state(now) == Invitation.State.PENDING:
            raise ValidationError(
                {
                    "email": f"{email} was already invited on {_day(earlier.created_at)}, "
                    f"as {earlier.get_role_display().lower()}: send that invitation again, or "
                    "withdraw it first to invite with other terms."
                }
            )
        # An expired invitation gives way to the new one: its link stays dead.
        earlier.revoked_at, earlier.revoked_by = now, actor
        earlier._history_user = actor.user
        earlier._change_reason = "Replaced by a new invitation"
        earlier.save()
    invitation = Invitation(
        organization=organization,
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        role=role,
        org_unit=org_unit,
        job_title=job_title.strip(),
        access_expires_on=access_expires_on,
        invited_by=actor,
        expires_at=now + datetime.timedelta(days=invitation_days()),
    )
    invitation._history_user = actor.user
    invitation.full_clean()
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:  # another administrator invited the same address a moment ago
        raise ValidationError(
            {"email": f"{email} was invited by someone else a moment ago: reload the page."}
        ) from None
    _send_later(invitation)
    return invitation


def _send_later(invitation: Invitation) -> None:
    from qms.core.invitations.tasks import send_invitation

    enqueue(send_invitation, invitation.pk, invitation.nonce)


def _locked_open(invitation: Invitation, actor: Membership) -> Invitation:
    require_administrator(actor, invitation.organization_id, "invite people")
    locked = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("organization", "invited_by__user")
        .get(pk=invitation.pk)
    )
    if locked.accepted_at or locked.revoked_at:
        raise TransitionError(closed_reason(locked) + " Nothing was changed.")
    return locked


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor: Membership) -> Invitation:
    """Send again, with a new link and a new expiry; the links of earlier e-mails stop working."""
    locked = _locked_open(invitation, actor)
    _refuse_if_member(locked.organization, locked.email)
    locked.nonce = new_nonce()
    locked.expires_at = timezone.now() + datetime.timedelta(days=invitation_days())
    locked.email_error = ""
    locked._history_user = actor.user
    locked._change_reason = "Sent again"
    locked.save()
    _send_later(locked)
    return locked


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: Membership) -> Invitation:
    locked = _locked_open(invitation, actor)
    locked.revoked_at, locked.revoked_by = timezone.now(), actor
    locked._history_user = actor.user
    locked._change_reason = "Withdrawn"
    locked.save()
    return locked


def withdraw_open_invitations_of(membership: Membership, *, actor: Membership) -> int:
    """Withdraw the open invitations to a member's address in their organisation (they left:
    an invitation must not bring them back). Returns how many."""
    email = (membership.user.email or "").strip()
    if not email:
        return 0
    withdrawn = 0
    for invitation in (
        Invitation.objects.for_organization(membership.organization_id)
        .open()
        .select_for_update()
        .filter(email__iexact=email)
    ):
        invitation.revoked_at, invitation.revoked_by = timezone.now(), actor
        invitation._history_user = actor.user
        invitation._change_reason = f"Withdrawn: {membership.display_name} left"
        invitation.save()
        withdrawn += 1
    return withdrawn


def email_matches(invitation: Invitation, user) -> bool:
    return bool(user.email) and user.email.strip().lower() == invitation.email.lower()


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> Membership:
    """`user` joins with the invitation's terms. Refused with a sentence: an invitation no
    longer open, an account whose e-mail is not the invited one, a current member. A member
    waiting for a role (a new SSO user) is given the invited terms; a former member is refused
    (an administrator reactivates them)."""
    locked = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("organization", "invited_by__user")
        .get(pk=invitation.pk)
    )
    reason = closed_reason(locked)
    if reason:
        raise TransitionError(reason)
    if not email_matches(locked, user):
        raise TransitionError(
            f"This invitation was sent to {locked.email}, and you are signed in as "
            f"{user.email or user.get_username()}. Sign out, then open the link again."
        )
    if not locked.organization.is_active:
        raise TransitionError(
            f"{locked.organization.name} is closed: the invitation cannot be used."
        )
    membership = (
        Membership.objects.select_for_update()
        .filter(organization=locked.organization, user=user)
        .first()
    )
    # A membership made after the invitation is the company sign-in's first one (a default
    # role, or waiting for one): the administrator's terms replace it. One made before was
    # not there when the administrator invited (they are refused for members): not ours.
    if (
        membership is not None
        and membership.is_active
        and membership.created_at < locked.created_at
    ):
        raise TransitionError(
            f"You are already a member of {locked.organization.name}: sign in to open it."
        )
    if membership is not None and membership.has_left:
        # An administrator ended this membership; only they bring it back (Reactivate).
        raise TransitionError(
            f"Your membership of {locked.organization.name} was ended by an administrator "
            f"on {_day(membership.deactivated_at)}: ask them to reactivate it."
        )
    if membership is None:
        membership = Membership(organization=locked.organization, user=user)
    membership.role = locked.role
    membership.org_unit = locked.org_unit
    membership.job_title = locked.job_title or membership.job_title
    membership.access_expires_on = locked.access_expires_on
    membership.is_active = True
    membership.deactivated_at = None
    membership._history_user = user
    membership._change_reason = "Joined by invitation"
    membership.full_clean()
    membership.save()
    locked.accepted_at, locked.membership = timezone.now(), membership
    locked._history_user = user
    locked._change_reason = "Accepted"
    locked.save()
    return membership


def account_exists(invitation: Invitation) -> bool:
    return get_user_model().objects.filter(email__iexact=invitation.email).exists()


@transaction.atomic
def account_create_and_accept(
    *, invitation: Invitation, first_name: str, last_name: str, password: str
):
    """A new account for the invited address, with the password the person chose, and the
    invitation accepted with it (both or neither). Refused if the address already has an
    account: its owner signs in first."""
    user_model = get_user_model()
    if account_exists(invitation):
        raise TransitionError(
            f"{invitation.email} already has an account: sign in with it to accept."
        )
    username, n = invitation.email, 1
    while user_model.objects.filter(username__iexact=username).exists():
        n += 1
        username = f"{invitation.email}-{n}"
    user = user_model.objects.create_user(
        username,
        email=invitation.email,
        password=password,
        first_name=first_name.strip()[:150],
        last_name=last_name.strip()[:150],
    )
    invitation_accept(invitation=invitation, user=user)
    return user
