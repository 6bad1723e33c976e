"""Invitations through the API (administrators): list, invite, send again, withdraw; the same
rules as People (`services`). Accepting is the invited person's, through the e-mailed link."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from qms.core.api.errors import run_service
from qms.core.api.scoping import OrganizationScopedViewSetMixin
from qms.core.api.serializers import OrganizationUnitField
from qms.core.invitations import services
from qms.core.invitations.models import Invitation
from qms.core.roles import ADMIN_ROLES, Role


class InvitationSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField(
        help_text="pending, expired (send again for a new link), accepted or revoked."
    )
    invited_by = serializers.PrimaryKeyRelatedField(read_only=True, help_text="A membership id.")
    org_unit = serializers.PrimaryKeyRelatedField(read_only=True)
    membership = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="The membership made when it was accepted."
    )

    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "role",
            "org_unit",
            "job_title",
            "access_expires_on",
            "state",
            "invited_by",
            "created_at",
            "expires_at",
            "emailed_at",
            "email_error",
            "accepted_at",
            "membership",
            "revoked_at",
        ]

    def get_state(self, invitation) -> str:
        return str(invitation.state())


class InvitationInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    first_name = serializers.CharField(max_length=150, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=150, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=Role.choices)
    org_unit = OrganizationUnitField(allow_null=True, default=None)
    job_title = serializers.CharField(max_length=120, allow_blank=True, default="")
    access_expires_on = serializers.DateField(
        allow_null=True,
        default=None,
        help_text="Auditors only, and required for them: the last day of their access.",
    )


class InvitationViewSet(
    OrganizationScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Invitations to join the organisation (administrators only). The list holds the open ones
    (waiting or expired); `?all=1` adds accepted and withdrawn ones."""

    serializer_class = InvitationSerializer
    read_roles = ADMIN_ROLES
    write_roles = ADMIN_ROLES
    http_method_names = ["get", "post", "head", "options"]

    def get_base_queryset(self, organization):
        invitations = Invitation.objects.filter(organization=organization)
        if getattr(self, "action", None) == "list" and self.request.query_params.get("all") != "1":
            invitations = invitations.open()
        return invitations.order_by("-created_at", "-id")

    def _output(self, invitation, code=status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(invitation).data, status=code)

    @extend_schema(
        request=InvitationInput,
        responses={201: InvitationSerializer},
        description="Invite someone by e-mail; the e-mail leaves from the worker. Refused with "
        "400, sending nothing: a current, waiting or former member's address, an address with "
        "an open invitation, an auditor without a last day of access.",
    )
    def create(self, request, org_slug=None):
        data = InvitationInput(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        invitation = run_service(
            lambda: services.invitation_create(
                organization=self.organization, actor=self.membership, **data.validated_data
            )
        )
        return self._output(invitation, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def resend(self, request, org_slug=None, pk=None):
        """Send again with a new link and expiry; the earlier link stops working. 409 for an
        accepted or withdrawn invitation."""
        invitation = run_service(
            lambda: services.invitation_resend(invitation=self.get_object(), actor=self.membership)
        )
        return self._output(invitation)

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, org_slug=None, pk=None):
        """Withdraw: the link stops working at once. 409 for an accepted or withdrawn one."""
        invitation = run_service(
            lambda: services.invitation_revoke(invitation=self.get_object(), actor=self.membership)
        )
        return self._output(invitation)
