"""Core API endpoints: the caller's organisations, and each organisation's units and members."""

from django.db import transaction
from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from qms.core import handover, services, units
from qms.core.api.errors import run_service
from qms.core.api.schema import ErrorDocumentingAutoSchema, ErrorSerializer
from qms.core.api.scoping import HasRoleForMethod, OrganizationScopedViewSetMixin
from qms.core.api.serializers import (
    DeactivateInput,
    DeactivateOutput,
    HandoverItemSerializer,
    MembershipChangeInput,
    MembershipSerializer,
    OrganizationSerializer,
    OrgUnitChangeInput,
    OrgUnitCloseInput,
    OrgUnitCreateInput,
    OrgUnitMoveInput,
    OrgUnitSerializer,
)
from qms.core.concurrency import version_of
from qms.core.models import Membership, Organization, OrgUnit
from qms.core.roles import ADMIN_ROLES
from qms.core.selectors import ended_memberships
from qms.core.tenancy import AccessExpired, resolve_membership


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    """Organisations the caller is a member of, with the caller's role in each; one whose
    membership has ended (an auditor's access past its last day, or a leaver deactivated by
    an administrator) is listed with the day it ended and no role, as the page after sign-in
    says, and its own endpoints refuse, saying why."""

    serializer_class = OrganizationSerializer
    schema = ErrorDocumentingAutoSchema()
    lookup_field = "slug"
    lookup_url_kwarg = "org_slug"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Organization.objects.none()
        # Current memberships and ended ones alike (one membership row must match: a single
        # filter); one waiting for its first role is none yet, as on the pages.
        return (
            Organization.objects.active()
            .filter(
                Q(memberships__is_active=True)
                | Q(memberships__is_active=False, memberships__deactivated_at__isnull=False),
                memberships__user=self.request.user,
            )
            .distinct()
            .order_by("name")
        )

    def get_object(self):
        # The same resolution as every other endpoint: 404 for strangers, 403 when expired.
        try:
            membership = resolve_membership(self.request.user, self.kwargs["org_slug"])
        except AccessExpired as expired:
            self.request.expired_membership = expired.membership  # for the auditor access log
            raise exceptions.PermissionDenied(str(expired)) from expired
        return membership.organization

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.request is not None and self.request.user.is_authenticated:
            mine = Membership.objects.filter(user=self.request.user)
            context["my_roles"] = dict(mine.current().values_list("organization_id", "role"))
            context["ended_on"] = {
                membership.organization_id: membership.ended_on
                for membership in ended_memberships(user=self.request.user)
            }
        return context


class OrgUnitViewSet(
    OrganizationScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The organisation's units, in tree order (`parent` is null for the top unit; `closed_on`
    set for a closed one). Administrators add, change (If-Match required), move, close and
    reopen units, with the same rules as the pages (see docs/administrator.md, "Units")."""

    serializer_class = OrgUnitSerializer
    pagination_class = None  # a tree is read whole; organisations have tens of units
    write_roles = ADMIN_ROLES
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_base_queryset(self, organization):
        return OrgUnit.objects.filter(organization=organization)

    def get_object(self):
        # A write with If-Match runs in one transaction and locks the unit to check its version:
        # the tree's lock comes first, as in every change of a unit (`units.lock_tree`).
        if (
            self.request.method not in ("GET", "HEAD", "OPTIONS")
            and transaction.get_connection().in_atomic_block
        ):
            units.lock_tree(self.organization.id)
        return super().get_object()

    def _output(self, unit: OrgUnit, code=status.HTTP_200_OK) -> Response:
        unit = OrgUnit.objects.get(pk=unit.pk)  # treebeard moves rewrite paths underneath
        response = Response(self.get_serializer(unit).data, status=code)
        response["ETag"] = f'"{version_of(unit)}"'
        return response

    @extend_schema(
        request=OrgUnitCreateInput,
        responses={201: OrgUnitSerializer},
        description="Add a unit under an open one (administrators). Refused with 400, adding "
        "nothing: a parent of another organisation or a closed one, a code already used.",
    )
    def create(self, request, org_slug=None):
        data = OrgUnitCreateInput(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        unit = run_service(
            lambda: units.org_unit_add(
                organization=self.organization, actor=self.membership, **data.validated_data
            )
        )
        return self._output(unit, status.HTTP_201_CREATED)

    @extend_schema(
        request=OrgUnitChangeInput,
        responses={200: OrgUnitSerializer},
        description="Rename a unit or change its code or kind (administrators); If-Match is "
        "required.",
    )
    def partial_update(self, request, org_slug=None, pk=None):
        unit = self.get_object()
        data = OrgUnitChangeInput(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        data.is_valid(raise_exception=True)
        # A unit's place and closing are actions of their own: a PATCH that would change them
        # is refused, not answered 200 with nothing done (try-out finding). The values it read
        # may come back unchanged (a client that sends the whole record).
        now = OrgUnitSerializer(unit, context=self.get_serializer_context()).data
        elsewhere = {"parent": "move/", "closed_on": "close/ or reopen/"}
        refused = {
            field: [f"A PATCH does not change {field}: POST to {elsewhere[field]} instead."]
            for field in elsewhere
            if field in request.data and str(request.data[field]) != str(now[field])
        }
        if refused:
            raise serializers.ValidationError(refused)
        changes = {"name": unit.name, "code": unit.code, "kind": unit.kind, **data.validated_data}
        unit = run_service(
            lambda: units.org_unit_change(unit=unit, actor=self.membership, **changes)
        )
        return self._output(unit)

    @extend_schema(
        request=OrgUnitMoveInput,
        responses={200: OrgUnitSerializer},
        description="Move a unit, with the units beneath it, under another open unit "
        "(administrators). Refused with 400 (into its own branch, a closed or another "
        "organisation's unit) or 409 (the top unit). The rollups above the old and the new "
        "place are recomputed by the worker.",
    )
    @action(detail=True, methods=["post"])
    def move(self, request, org_slug=None, pk=None):
        unit = self.get_object()
        data = OrgUnitMoveInput(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        unit = run_service(
            lambda: units.org_unit_move(
                unit=unit, new_parent=data.validated_data["parent"], actor=self.membership
            )
        )
        return self._output(unit)

    @extend_schema(
        request=OrgUnitCloseInput,
        responses={200: OrgUnitSerializer},
        description="Close a unit (administrators): it keeps its records and takes no new "
        "ones. Refused with 400 while units beneath it are open, members or open invitations "
        "belong to it, or for a day in the future; 409 for the top unit or one already closed.",
    )
    @action(detail=True, methods=["post"])
    def close(self, request, org_slug=None, pk=None):
        unit = self.get_object()
        data = OrgUnitCloseInput(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        unit = run_service(
            lambda: units.org_unit_close(
                unit=unit, actor=self.membership, on=data.validated_data.get("closed_on")
            )
        )
        return self._output(unit)

    @extend_schema(request=None, responses={200: OrgUnitSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request, org_slug=None, pk=None):
        """Reopen a closed unit (administrators); 409 if it is open or its parent is closed."""
        unit = self.get_object()
        unit = run_service(lambda: units.org_unit_reopen(unit=unit, actor=self.membership))
        return self._output(unit)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.organization is not None:
            context["parents_by_path"] = dict(
                OrgUnit.objects.filter(organization=self.organization).values_list("path", "id")
            )
        return context


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = (
        "Send the member's ETag (from GET on the member) as If-Match: changes to a member are "
        "never made without knowing which version they change."
    )
    default_code = "precondition_required"


class MembershipViewSet(
    OrganizationScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The organisation's members and their roles. Administrators also change a member (role,
    unit, job title, an auditor's last day of access), list what a member is responsible for,
    deactivate a leaver handing that over, and reactivate them; the same rules as the pages."""

    serializer_class = MembershipSerializer
    filterset_fields = ["role", "org_unit"]
    write_roles = ADMIN_ROLES
    http_method_names = ["get", "patch", "post", "head", "options"]

    def get_base_queryset(self, organization):
        memberships = Membership.objects.filter(organization=organization)
        # The list shows current members; an administrator reaches one who left by id.
        if getattr(self, "action", None) == "list" or not self._is_admin():
            memberships = memberships.filter(is_active=True, user__is_active=True)
        return memberships.select_related("user").order_by(
            "user__last_name", "user__first_name", "id"
        )

    def _is_admin(self) -> bool:
        return self.membership is not None and self.membership.role in ADMIN_ROLES

    def _require_admin(self) -> None:
        if not self._is_admin():
            raise exceptions.PermissionDenied(HasRoleForMethod.message)

    def _require_if_match(self) -> None:
        if "If-Match" not in self.request.headers:
            raise PreconditionRequired()

    def _output(self, membership: Membership) -> Response:
        membership = self.get_queryset().get(pk=membership.pk)
        return Response(self.get_serializer(membership).data)

    @extend_schema(
        request=MembershipChangeInput,
        responses={200: MembershipSerializer, 428: ErrorSerializer},
        description="Change a member (administrators). If-Match is required. Refused with 400 "
        "(an auditor without a last day, a day in the past, a unit of another organisation) "
        "or 409 (the last administrator demoted), changing nothing.",
    )
    def partial_update(self, request, org_slug=None, pk=None):
        self._require_if_match()
        membership = self.get_object()
        # With the member as its instance: the unit they have is kept even if it closed since.
        serializer = MembershipChangeInput(
            membership, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        changes = {
            "role": membership.role,
            "org_unit": membership.org_unit,
            "job_title": membership.job_title,
            "access_expires_on": membership.access_expires_on,
            **serializer.validated_data,
        }
        membership = run_service(
            lambda: services.membership_change(
                membership=membership, actor=self.membership, **changes
            )
        )
        return self._output(membership)

    @extend_schema(responses=HandoverItemSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def responsibilities(self, request, org_slug=None, pk=None):
        """What the member is still responsible for (administrators): each item must get a
        new holder when they are deactivated."""
        self._require_admin()
        membership = self.get_object()
        items = handover.open_items(membership) if membership.is_active else []
        return Response(HandoverItemSerializer(items, many=True).data)

    @extend_schema(
        request=DeactivateInput,
        responses={200: DeactivateOutput, 428: ErrorSerializer},
        description="Deactivate a leaver (administrators), handing over every open item; "
        "If-Match is required. Refused with 400, changing nothing, while any item would be "
        "left without a holder; 409 for the last administrator or a member already gone.",
    )
    @action(detail=True, methods=["post"])
    def deactivate(self, request, org_slug=None, pk=None):
        self._require_if_match()
        membership = self.get_object()
        data = DeactivateInput(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        handed = run_service(
            lambda: services.membership_deactivate(
                membership=membership,
                actor=self.membership,
                give_all_to=data.validated_data.get("give_all_to"),
                give_to=data.validated_data.get("give_to") or {},
            )
        )
        membership = Membership.objects.select_related("user").get(pk=membership.pk)
        return Response(
            DeactivateOutput(
                {"membership": membership, "handed_over": handed},
                context=self.get_serializer_context(),
            ).data
        )

    @extend_schema(request=None, responses=MembershipSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request, org_slug=None, pk=None):
        """A member who left comes back with the role they had (administrators)."""
        membership = self.get_object()
        membership = run_service(
            lambda: services.membership_reactivate(membership=membership, actor=self.membership)
        )
        return self._output(membership)
