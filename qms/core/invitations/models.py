"""An invitation to join an organisation, and what the invited person will be given."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from qms.core.models import BaseModel, Membership, Organization, OrganizationScopedQuerySet, OrgUnit
from qms.core.roles import Role


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


class InvitationQuerySet(OrganizationScopedQuerySet):
    def open(self):
        """Neither accepted nor withdrawn (an expired one may still be sent again)."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def for_people_page(self, organization_id: int, limit: int):
        """The open invitations an administrator sees on People, newest first, with what each
        line names (one query)."""
        return list(
            self.for_organization(organization_id)
            .open()
            .select_related("org_unit", "invited_by__user")
            .order_by("-created_at", "-id")[: limit + 1]
        )


class Invitation(BaseModel):
    class State(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        EXPIRED = "expired", "Expired"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Withdrawn"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(max_length=254)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices)
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    job_title = models.CharField(max_length=120, blank=True)
    access_expires_on = models.DateField(null=True, blank=True)
    invited_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # In the signed link: a new one on every send, so an older e-mail's link stops working.
    nonce = models.CharField(max_length=40, default=new_nonce)
    expires_at = models.DateTimeField()
    emailed_at = models.DateTimeField(null=True, blank=True)
    emailed_nonce = models.CharField(max_length=40, blank=True)
    email_error = models.CharField(max_length=300, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # The nonce is a credential's part and the e-mail bookkeeping is not a change of the record.
    history = HistoricalRecords(
        excluded_fields=["nonce", "emailed_at", "emailed_nonce", "email_error"]
    )
    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open invitation per address and organisation: a second would be a second
            # valid link with other terms.
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_address",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.AUDITOR) | Q(access_expires_on__isnull=False),
                name="invitation_auditor_has_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} as {self.get_role_display().lower()}"

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def state(self, now=None) -> str:
        if self.accepted_at:
            return self.State.ACCEPTED
        if self.revoked_at:
            return self.State.REVOKED
        if self.expires_at <= (now or timezone.now()):
            return self.State.EXPIRED
        return self.State.PENDING

    @property
    def is_expired(self) -> bool:
        return self.state() == self.State.EXPIRED

    def get_state_display(self) -> str:
        return self.State(self.state()).label


def invitation_days() -> int:
    return settings.QMS_INVITATION_DAYS
