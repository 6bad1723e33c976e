"""Objectives API under /api/v1/organizations/{org_slug}/: objectives, measurements (one or a
bulk batch, validated like an import), rollups. Writes go through the services."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.response import Response

from objectives import services
from objectives.models import KpiRollup, Measurement, QualityObjective
from objectives.permissions import can_log_values
from qms.core.api.errors import Conflict
from qms.core.api.pagination import NewestFirstCursorPagination
from qms.core.api.scoping import OrganizationScopedViewSetMixin
from qms.core.models import Membership, OrgUnit
from qms.core.roles import QUALITY_EDITOR_ROLES, WRITER_ROLES, Role
from qms.core.tenancy import in_audit_scope

KPI_FIELDS = [
    "unit",
    "direction",
    "baseline",
    "target",
    "amber_threshold",
    "red_threshold",
    "frequency",
    "aggregation",
    "decimal_places",
    "valid_min",
    "valid_max",
    "data_due_days",
]


class ObjectiveSerializer(serializers.ModelSerializer):
    org_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.none())
    owner = serializers.PrimaryKeyRelatedField(queryset=Membership.objects.none())
    accountable_executive = serializers.PrimaryKeyRelatedField(queryset=Membership.objects.none())
    parent = serializers.SlugRelatedField(
        slug_field="code", queryset=QualityObjective.objects.none(), required=False, allow_null=True
    )
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True)
    owner_name = serializers.CharField(source="owner.display_name", read_only=True)
    accountable_executive_name = serializers.CharField(
        source="accountable_executive.display_name", read_only=True
    )

    class Meta:
        model = QualityObjective
        fields = [
            "code",
            "title",
            "statement",
            "org_unit",
            "org_unit_name",
            "owner",
            "owner_name",
            "accountable_executive",
            "accountable_executive_name",
            "status",
            "start_date",
            "due_date",
            "parent",
            "weight",
            *KPI_FIELDS,
            "current_status",
            "current_value",
            "current_period_end",
        ]
        read_only_fields = ["current_status", "current_value", "current_period_end"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organization = self.context.get("organization")
        if organization is None:
            return
        # Related records must be the organisation's own: another organisation's id is
        # "does not exist", exactly like an id that does not exist at all.
        members = Membership.objects.for_organization(organization).active()
        self.fields["org_unit"].queryset = OrgUnit.objects.for_organization(organization)
        self.fields["owner"].queryset = members.exclude(role=Role.AUDITOR)
        self.fields["accountable_executive"].queryset = members
        self.fields["parent"].queryset = QualityObjective.objects.for_organization(organization)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        membership = self.context.get("membership")
        if instance.parent_id and not in_audit_scope(instance.parent, membership):
            data["parent"] = None  # another unit's objective, to an auditor limited to a unit
        return data

    def _run(self, call):
        try:
            return call()
        except DjangoValidationError as error:
            raise serializers.ValidationError(
                error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
            ) from error

    def create(self, validated_data):
        return self._run(
            lambda: services.objective_create(
                organization=self.context["organization"],
                actor=self.context["request"].user,
                **validated_data,
            )
        )

    def update(self, instance, validated_data):
        return self._run(
            lambda: services.objective_update(
                objective=instance, actor=self.context["request"].user, **validated_data
            )
        )


class ObjectiveFilter(django_filters.FilterSet):
    class Meta:
        model = QualityObjective
        fields = [
            "status",
            "current_status",
            "org_unit",
            "owner",
            "accountable_executive",
            "frequency",
        ]


class ObjectiveViewSet(
    OrganizationScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Quality objectives with their KPI definition and current status. Objectives are evidence:
    they are withdrawn (status), never deleted."""

    serializer_class = ObjectiveSerializer
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"
    filterset_class = ObjectiveFilter
    write_roles = QUALITY_EDITOR_ROLES
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_base_queryset(self, organization):
        return (
            QualityObjective.objects.filter(organization=organization)
            .select_related("org_unit", "owner__user", "accountable_executive__user", "parent")
            .order_by("code")
        )


class MeasurementSerializer(serializers.ModelSerializer):
    objective = serializers.SlugRelatedField(
        slug_field="code", queryset=QualityObjective.objects.none()
    )
    entered_by = serializers.CharField(
        source="entered_by.username", read_only=True, default=None, allow_null=True
    )
    reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=300,
        help_text="Why an existing value is corrected (kept in the audit trail).",
    )

    class Meta:
        model = Measurement
        fields = [
            "id",
            "objective",
            "period_end",
            "value",
            "note",
            "source",
            "entered_by",
            "entered_at",
            "reason",
        ]
        read_only_fields = ["source", "entered_by", "entered_at"]
        # A second value for a period is a correction, not a uniqueness error.
        validators = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organization = self.context.get("organization")
        if organization is not None:
            self.fields["objective"].queryset = QualityObjective.objects.for_organization(
                organization
            )


class MeasurementFilter(django_filters.FilterSet):
    objective = django_filters.CharFilter(field_name="objective__code")
    period_after = django_filters.DateFilter(field_name="period_end", lookup_expr="gte")
    period_before = django_filters.DateFilter(field_name="period_end", lookup_expr="lte")

    class Meta:
        model = Measurement
        fields = ["objective", "period_after", "period_before", "source"]


class MeasurementViewSet(
    OrganizationScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """KPI values. POST records a value, or corrects the period's existing value (the earlier
    one stays in the audit trail). Owners may post for their own objectives. A different first
    value for the period saved by another request at the same moment answers 409."""

    serializer_class = MeasurementSerializer
    filterset_class = MeasurementFilter
    pagination_class = NewestFirstCursorPagination
    write_roles = WRITER_ROLES  # narrowed per objective in perform_create

    def get_base_queryset(self, organization):
        return Measurement.objects.filter(organization=organization).select_related(
            "objective", "entered_by"
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        objective = serializer.validated_data["objective"]
        if not can_log_values(self.membership, objective):
            raise exceptions.PermissionDenied(
                "Only the objective's owner or a quality manager records its values."
            )
        try:
            measurement, created = services.measurement_record(
                objective=objective,
                period_end=serializer.validated_data["period_end"],
                value=serializer.validated_data["value"],
                note=serializer.validated_data.get("note", ""),
                reason=serializer.validated_data.get("reason", ""),
                actor=request.user,
                source=Measurement.Source.API,
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        except services.MeasurementConflict as error:
            raise Conflict(str(error)) from error
        output = self.get_serializer(measurement)
        return Response(
            output.data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class RollupSerializer(serializers.ModelSerializer):
    objective = serializers.CharField(source="objective.code")

    class Meta:
        model = KpiRollup
        fields = [
            "objective",
            "granularity",
            "period_end",
            "value",
            "measurement_count",
            "status",
            "computed_at",
        ]


class RollupFilter(django_filters.FilterSet):
    objective = django_filters.CharFilter(field_name="objective__code")
    period_after = django_filters.DateFilter(field_name="period_end", lookup_expr="gte")
    period_before = django_filters.DateFilter(field_name="period_end", lookup_expr="lte")

    class Meta:
        model = KpiRollup
        fields = ["objective", "granularity", "status", "period_after", "period_before"]


class RollupViewSet(OrganizationScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """KPI rollups per objective and month, quarter or year, with their RAG status."""

    serializer_class = RollupSerializer
    filterset_class = RollupFilter
    pagination_class = NewestFirstCursorPagination

    def get_base_queryset(self, organization):
        return KpiRollup.objects.filter(organization=organization).select_related("objective")


def register(router) -> None:
    router.register("objectives", ObjectiveViewSet, basename="objective")
    router.register("measurements", MeasurementViewSet, basename="measurement")
    router.register("rollups", RollupViewSet, basename="rollup")
