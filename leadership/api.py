"""Leadership API under /api/v1/organizations/{org_slug}/: policy versions and their workflow
steps, commitments, acknowledgement, responsibilities and assignments (as of a date),
resource allocations with decisions and spend. Every write goes through a service."""

from __future__ import annotations

import datetime

import django_filters
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from leadership.models import (
    PolicyCommitment,
    PolicyVersion,
    ResourceAllocation,
    ResourceSpend,
    Responsibility,
    ResponsibilityAssignment,
)
from leadership.permissions import can_record_spend
from leadership.selectors import policy as policy_selectors
from leadership.selectors import resources as resource_selectors
from leadership.services import policy as policy_services
from leadership.services import resources as resource_services
from leadership.services import responsibilities as responsibility_services
from objectives.models import QualityObjective
from qms.core.api.errors import run_service
from qms.core.api.scoping import OrganizationScopedViewSetMixin
from qms.core.models import Membership, OrgUnit, units_of
from qms.core.roles import APPROVER_ROLES, QUALITY_EDITOR_ROLES, WRITER_ROLES


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


# --- policy -----------------------------------------------------------------------------------


class PolicyVersionSerializer(serializers.ModelSerializer):
    approved_by = serializers.CharField(
        source="approved_by.display_name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = PolicyVersion
        fields = [
            "number",
            "status",
            "text",
            "change_summary",
            "is_material_change",
            "submitted_at",
            "approved_by",
            "approved_at",
            "approval_comment",
            "returned_comment",
            "published_at",
            "superseded_at",
        ]
        read_only_fields = [
            f for f in fields if f not in ("text", "change_summary", "is_material_change")
        ]
        extra_kwargs = {"text": {"max_length": 20_000}}


class PolicyVersionViewSet(
    OrganizationScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Versions of the quality policy. POST starts a draft; PATCH edits a draft; the workflow
    steps are their own endpoints. Approved versions are immutable (409)."""

    serializer_class = PolicyVersionSerializer
    lookup_field = "number"
    write_roles = policy_services.DRAFTER_ROLES
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_base_queryset(self, organization):
        return PolicyVersion.objects.filter(organization=organization).select_related(
            "approved_by__user"
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        policy = policy_services.policy_get_or_create(
            organization=self.organization, actor=request.user
        )
        version = run_service(
            lambda: policy_services.policy_version_create_draft(
                policy=policy, membership=self.membership, **serializer.validated_data
            )
        )
        return Response(self.get_serializer(version).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        version = self.get_object()
        serializer = self.get_serializer(version, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        version = run_service(
            lambda: policy_services.policy_version_update_draft(
                version=version,
                membership=self.membership,
                text=data.get("text", version.text),
                change_summary=data.get("change_summary", version.change_summary),
                is_material_change=data.get("is_material_change", version.is_material_change),
            )
        )
        return Response(self.get_serializer(version).data)

    def _step(self, service, **kwargs):
        version = self.get_object()
        version = run_service(lambda: service(version=version, **kwargs))
        return Response(self.get_serializer(version).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request, org_slug=None, number=None):
        return self._step(policy_services.policy_version_submit, membership=self.membership)

    @extend_schema(request=CommentSerializer)
    @action(detail=True, methods=["post"], write_roles=APPROVER_ROLES)
    def approve(self, request, org_slug=None, number=None):
        comment = CommentSerializer(data=request.data)
        comment.is_valid(raise_exception=True)
        return self._step(
            policy_services.policy_version_approve,
            approver=self.membership,
            comment=comment.validated_data["comment"],
        )

    @extend_schema(request=CommentSerializer)
    @action(detail=True, methods=["post"], url_path="return", write_roles=APPROVER_ROLES)
    def return_to_drafter(self, request, org_slug=None, number=None):
        comment = CommentSerializer(data=request.data)
        comment.is_valid(raise_exception=True)
        return self._step(
            policy_services.policy_version_return,
            approver=self.membership,
            comment=comment.validated_data["comment"],
        )

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def publish(self, request, org_slug=None, number=None):
        return self._step(policy_services.policy_version_publish, membership=self.membership)

    @extend_schema(
        request=None,
        responses=inline_serializer(
            name="PolicyAcknowledgement",
            fields={
                "version": serializers.IntegerField(),
                "acknowledged_at": serializers.DateTimeField(),
            },
        ),
    )
    @action(detail=False, methods=["post"], write_roles=WRITER_ROLES)
    def acknowledge(self, request, org_slug=None):
        """Acknowledge the version in force, as the calling member (idempotent)."""
        current = policy_selectors.current_version(self.organization)
        if current is None:
            raise exceptions.NotFound("No policy is published yet.")
        acknowledgement = run_service(
            lambda: policy_services.policy_acknowledge(version=current, membership=self.membership)
        )
        return Response(
            {"version": current.number, "acknowledged_at": acknowledgement.acknowledged_at}
        )


class CommitmentSerializer(serializers.ModelSerializer):
    objectives = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=QualityObjective.objects.none(), required=False
    )
    has_active_objective = serializers.BooleanField(read_only=True)

    class Meta:
        model = PolicyCommitment
        fields = ["id", "kind", "text", "objectives", "order", "has_active_objective"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organization = self.context.get("organization")
        if organization is not None:
            self.fields[
                "objectives"
            ].child_relation.queryset = QualityObjective.objects.for_organization(organization)


class CommitmentViewSet(
    OrganizationScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Policy commitments and the objectives that serve them (flag: `has_active_objective`)."""

    serializer_class = CommitmentSerializer
    pagination_class = None
    write_roles = QUALITY_EDITOR_ROLES | APPROVER_ROLES
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_base_queryset(self, organization):
        policy = policy_selectors.policy_for(organization) if organization else None
        if policy is None:
            return PolicyCommitment.objects.none()
        return policy_selectors.commitments(policy)

    def perform_create(self, serializer):
        policy = policy_services.policy_get_or_create(
            organization=self.organization, actor=self.request.user
        )
        objectives = serializer.validated_data.pop("objectives", [])
        commitment = PolicyCommitment(
            organization=self.organization, policy=policy, **serializer.validated_data
        )
        saved = run_service(
            lambda: policy_services.commitment_save(
                commitment=commitment, actor=self.request.user, objectives=objectives
            )
        )
        # Read back through the queryset: `has_active_objective` is an annotation of it.
        serializer.instance = self.get_queryset().get(pk=saved.pk)

    def perform_update(self, serializer):
        objectives = serializer.validated_data.pop("objectives", None)
        commitment = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(commitment, name, value)
        run_service(
            lambda: policy_services.commitment_save(
                commitment=commitment, actor=self.request.user, objectives=objectives
            )
        )


# --- responsibilities -------------------------------------------------------------------------


class ResponsibilitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Responsibility
        fields = ["id", "code", "title", "description", "is_standard"]
        read_only_fields = ["is_standard"]
        validators = []  # uniqueness per organisation is checked by the service's full_clean


class ResponsibilityViewSet(
    OrganizationScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """QMS responsibilities (the five of ISO 9001 5.3 and the organisation's own)."""

    serializer_class = ResponsibilitySerializer
    pagination_class = None

    def get_base_queryset(self, organization):
        return Responsibility.objects.filter(organization=organization)

    def perform_create(self, serializer):
        serializer.instance = run_service(
            lambda: responsibility_services.responsibility_create(
                organization=self.organization, actor=self.request.user, **serializer.validated_data
            )
        )


class AssignmentSerializer(serializers.ModelSerializer):
    responsibility = serializers.PrimaryKeyRelatedField(queryset=Responsibility.objects.none())
    membership = serializers.PrimaryKeyRelatedField(queryset=Membership.objects.none())
    holder = serializers.CharField(source="membership.display_name", read_only=True)

    class Meta:
        model = ResponsibilityAssignment
        fields = [
            "id",
            "responsibility",
            "membership",
            "holder",
            "valid_from",
            "valid_to",
            "authority",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organization = self.context.get("organization")
        if organization is not None:
            self.fields["responsibility"].queryset = Responsibility.objects.for_organization(
                organization
            )
            self.fields["membership"].queryset = Membership.objects.for_organization(organization)


class AssignmentFilter(django_filters.FilterSet):
    as_of = django_filters.DateFilter(method="filter_as_of", label="In force on this date")

    class Meta:
        model = ResponsibilityAssignment
        fields = ["responsibility", "membership", "as_of"]

    def filter_as_of(self, queryset, name, value: datetime.date):
        return queryset.as_of(value)


class AssignmentViewSet(
    OrganizationScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Who holds which responsibility, from when to when; `?as_of=YYYY-MM-DD` gives the matrix
    on a date. Assignments are ended, never deleted."""

    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter

    def get_base_queryset(self, organization):
        return (
            ResponsibilityAssignment.objects.filter(organization=organization)
            .select_related("responsibility", "membership__user")
            .order_by("responsibility__code", "valid_from", "id")
        )

    def perform_create(self, serializer):
        serializer.instance = run_service(
            lambda: responsibility_services.assignment_create(
                actor=self.request.user, **serializer.validated_data
            )
        )

    @extend_schema(
        request=None,
        parameters=[OpenApiParameter("valid_to", str, description="Last day (default today)")],
    )
    @action(detail=True, methods=["post"])
    def end(self, request, org_slug=None, pk=None):
        assignment = self.get_object()
        raw = request.data.get("valid_to") or request.query_params.get("valid_to")
        try:
            valid_to = datetime.date.fromisoformat(raw) if raw else timezone.localdate()
        except (TypeError, ValueError):
            raise serializers.ValidationError(
                {"valid_to": "Use a date in the form YYYY-MM-DD."}
            ) from None
        assignment = run_service(
            lambda: responsibility_services.assignment_end(
                assignment=assignment, valid_to=valid_to, actor=request.user
            )
        )
        return Response(self.get_serializer(assignment).data)


# --- resources --------------------------------------------------------------------------------


class AllocationSerializer(serializers.ModelSerializer):
    objective = serializers.SlugRelatedField(
        slug_field="code", queryset=QualityObjective.objects.none(), required=False, allow_null=True
    )
    org_unit = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.none(), required=False, allow_null=True
    )
    spent = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    over_approved = serializers.BooleanField(
        read_only=True, help_text="Spend so far is beyond the approved amount."
    )
    requested_by = serializers.CharField(source="requested_by.display_name", read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.display_name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = ResourceAllocation
        fields = [
            "id",
            "kind",
            "title",
            "justification",
            "objective",
            "org_unit",
            "amount",
            "unit",
            "period_start",
            "period_end",
            "status",
            "requested_by",
            "decided_by",
            "decided_at",
            "decision_comment",
            "spent",
            "over_approved",
        ]
        read_only_fields = ["status", "decided_at", "decision_comment"]
        extra_kwargs = {"unit": {"required": False, "allow_blank": True}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organization = self.context.get("organization")
        if organization is not None:
            self.fields["objective"].queryset = QualityObjective.objects.for_organization(
                organization
            )
            self.fields["org_unit"].queryset = OrgUnit.objects.for_new_records(
                organization, units_of(self.instance, "org_unit")
            )


class SpendSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResourceSpend
        fields = ["id", "date", "amount", "note", "over_reason", "recorded_at"]
        read_only_fields = ["recorded_at"]


class AllocationViewSet(
    OrganizationScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Resource requests and allocations (ISO 9001 7.1). Anyone but an auditor may request;
    only executives approve or reject."""

    serializer_class = AllocationSerializer
    filterset_fields = ["status", "kind"]
    write_roles = WRITER_ROLES

    def get_base_queryset(self, organization):
        if organization is None:
            return ResourceAllocation.objects.none()
        return resource_selectors.allocation_list(organization=organization)

    def perform_create(self, serializer):
        allocation = run_service(
            lambda: resource_services.allocation_request(
                membership=self.membership, **serializer.validated_data
            )
        )
        serializer.instance = self.get_queryset().get(pk=allocation.pk)

    def _decide(self, request, approve: bool):
        comment = CommentSerializer(data=request.data)
        comment.is_valid(raise_exception=True)
        allocation = self.get_object()
        run_service(
            lambda: resource_services.allocation_decide(
                allocation=allocation,
                approver=self.membership,
                approve=approve,
                comment=comment.validated_data["comment"],
            )
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=allocation.pk)).data)

    @extend_schema(request=CommentSerializer)
    @action(detail=True, methods=["post"], write_roles=APPROVER_ROLES)
    def approve(self, request, org_slug=None, pk=None):
        return self._decide(request, approve=True)

    @extend_schema(request=CommentSerializer)
    @action(detail=True, methods=["post"], write_roles=APPROVER_ROLES)
    def reject(self, request, org_slug=None, pk=None):
        return self._decide(request, approve=False)

    @extend_schema(methods=["GET"], responses=SpendSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=SpendSerializer, responses={201: SpendSerializer(many=True)}
    )
    # The whole list, not a page: an allocation has a handful of spends.
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def spend(self, request, org_slug=None, pk=None):
        allocation = self.get_object()
        if request.method == "POST":
            # Who may, before the input is read: the service asks again.
            if not can_record_spend(self.membership, allocation):
                raise exceptions.PermissionDenied(
                    "Only the person who requested this allocation, the owner of its objective "
                    "or a quality manager can record spend against it."
                )
            serializer = SpendSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            run_service(
                lambda: resource_services.spend_record(
                    allocation=allocation, membership=self.membership, **serializer.validated_data
                )
            )
        spends = allocation.spends.all()
        return Response(
            SpendSerializer(spends, many=True).data,
            status=status.HTTP_201_CREATED if request.method == "POST" else status.HTTP_200_OK,
        )


def register(router) -> None:
    router.register("policy-versions", PolicyVersionViewSet, basename="policy-version")
    router.register("policy-commitments", CommitmentViewSet, basename="policy-commitment")
    router.register("responsibilities", ResponsibilityViewSet, basename="responsibility")
    router.register(
        "responsibility-assignments", AssignmentViewSet, basename="responsibility-assignment"
    )
    router.register("resource-allocations", AllocationViewSet, basename="resource-allocation")

    from leadership import api_competence  # imports this module's helpers

    api_competence.register(router)
