"""The invitation e-mail: sent by the worker, once per link (a redelivery sends nothing)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core import mail
from django.utils import formats, timezone

from qms.core.invitations.models import Invitation
from qms.core.invitations.services import link_for
from qms.core.notifications.services import absolute_url

logger = logging.getLogger(__name__)


@shared_task(name="invitations.send", acks_late=True)
def send_invitation(invitation_id: int, nonce: str) -> str:
    invitation = (
        Invitation.objects.select_related("organization", "invited_by__user", "org_unit")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or invitation.nonce != nonce:
        return "replaced"
    if invitation.state() != Invitation.State.PENDING:
        return "closed"
    if invitation.emailed_nonce == nonce:
        return "already sent"
    try:
        mail.send_mail(
            subject=_subject(invitation),
            message=_body(invitation),
            from_email=None,
            recipient_list=[invitation.email],
        )
    except Exception as error:  # shown on People, where the administrator can send again
        logger.warning("Invitation %s e-mail failed: %s", invitation_id, error)
        Invitation.objects.filter(pk=invitation_id, nonce=nonce).update(
            email_error=f"{type(error).__name__}: {error}"[:300]
        )
        return "failed"
    Invitation.objects.filter(pk=invitation_id, nonce=nonce).update(
        emailed_at=timezone.now(), emailed_nonce=nonce, email_error=""
    )
    return "sent"


def _subject(invitation: Invitation) -> str:
    return f"You are invited to {invitation.organization.name} on the QMS leadership dashboard"


def _body(invitation: Invitation) -> str:
    who = invitation.invited_by.display_name if invitation.invited_by else "An administrator"
    expires = formats.date_format(timezone.localtime(invitation.expires_at), "j F Y, H:i")
    terms = f"as {invitation.get_role_display().lower()}"
    if invitation.org_unit:
        terms += f" in {invitation.org_unit.name}"
    lines = [
        f"Hello{(' ' + invitation.first_name) if invitation.first_name else ''},",
        f"{who} invited you to join {invitation.organization.name} on the QMS leadership "
        f"dashboard, {terms}.",
    ]
    if invitation.access_expires_on:
        last = formats.date_format(invitation.access_expires_on, "j F Y")
        lines.append(f"Your access is read-only and ends after {last}.")
    lines += [
        f"Accept the invitation: {absolute_url(link_for(invitation))}",
        f"The link works until {expires}. If you did not expect this e-mail, ignore it: "
        "nothing happens unless you accept.",
        f"— QMS leadership dashboard, {invitation.organization.name}.",
    ]
    return "\n\n".join(lines)
