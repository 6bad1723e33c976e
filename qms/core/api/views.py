"""Core API endpoints: the caller's organisations, and each organisation's units and members."""

from django.db.models import Q
from rest_framework import exceptions, mixins, viewsets

from qms.core.api.schema import ErrorDocumentingAutoSchema
from qms.core.api.scoping import OrganizationScopedViewSetMixin
from qms.core.api.serializers import (
    MembershipSerializer,
    OrganizationSerializer,
    OrgUnitSerializer,
)
from qms.core.models import Membership, Organization, OrgUnit
from qms.core.tenancy import AccessExpired, resolve_membership


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    """Organisations the caller is a member of (with the caller's role in each)."""

    serializer_class = OrganizationSerializer
    schema = ErrorDocumentingAutoSchema()
    lookup_field = "slug"
    lookup_url_kwarg = "org_slug"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Organization.objects.none()
        return Organization.objects.for_user(self.request.user).order_by("name")

    def get_object(self):
        # The same resolution as every other endpoint: 404 for strangers, 403 when expired.
        try:
            membership = resolve_membership(self.request.user, self.kwargs["org_slug"])
        except AccessExpired as expired:
            raise exceptions.PermissionDenied(str(expired)) from expired
        return membership.organization

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.request is not None and self.request.user.is_authenticated:
            context["my_roles"] = dict(
                Membership.objects.filter(user=self.request.user, is_active=True).values_list(
                    "organization_id", "role"
                )
            )
        return context


class OrgUnitViewSet(OrganizationScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The organisation's units, in tree order (`parent` is null for a root)."""

    serializer_class = OrgUnitSerializer
    pagination_class = None  # a tree is read whole; organisations have tens of units

    def get_base_queryset(self, organization):
        return OrgUnit.objects.filter(organization=organization)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.organization is not None:
            context["parents_by_path"] = dict(
                OrgUnit.objects.filter(organization=self.organization).values_list("path", "id")
            )
        return context


class MembershipViewSet(
    OrganizationScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The organisation's active members and their roles."""

    serializer_class = MembershipSerializer
    filterset_fields = ["role", "org_unit"]

    def get_base_queryset(self, organization):
        return (
            Membership.objects.filter(organization=organization, is_active=True)
            .filter(Q(user__is_active=True))
            .select_related("user")
            .order_by("user__last_name", "user__first_name", "id")
        )
