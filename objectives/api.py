"""Objectives API under /api/v1/organizations/{org_slug}/: objectives, measurements (one or a
bulk batch, validated like an import), rollups. Writes go through the services."""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from objectives import services
from objectives.models import KpiRollup, Measurement, QualityObjective
from objectives.periods import describe
from objectives.permissions import can_log_values
from objectives.rollups import RollupReading, rollup_reading
from qms.core.api.errors import Conflict
from qms.core.api.pagination import NewestFirstCursorPagination
from qms.core.api.scoping import (
    OrganizationScopedViewSetMixin,
    PreconditionFailed,
    if_match_versions,
)
from qms.core.concurrency import last_change, version_of
from qms.core.models import Membership, OrgUnit, units_of
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


class ExactDecimalField(serializers.DecimalField):
    """A KPI value as exactly as it is stored, without the padding of the six decimals it is
    stored with: "8.4", not "8.400000". Not rounded to the objective's `decimal_places` (which
    each objective carries, for display): a client that reads a value and writes it back must
    not lose what it sent."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("normalize_output", True)
        super().__init__(*args, **kwargs)


class KpiValuesSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DecimalField: ExactDecimalField,
    }


class ObjectiveSerializer(KpiValuesSerializer):
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
        self.fields["org_unit"].queryset = OrgUnit.objects.for_new_records(
            organization, units_of(self.instance, "org_unit")
        )
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


class MeasurementSerializer(KpiValuesSerializer):
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


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=500, help_text="Why the value is withdrawn: kept in the audit trail."
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
    """KPI values. POST records a period's first value; with `If-Match` naming the existing
    value's ETag (from GET of that value), it corrects it (the earlier one stays in the audit
    trail). Owners may post for their own objectives. A different value for a period that has
    one, sent without its ETag or with a stale one, answers 409 and changes nothing; the same
    value sent again answers 200. `POST …/{id}/withdraw/` with a reason withdraws a value no
    review has seen (its owner or a quality manager, as on the objective's page)."""

    serializer_class = MeasurementSerializer
    filterset_class = MeasurementFilter
    pagination_class = NewestFirstCursorPagination
    write_roles = WRITER_ROLES  # narrowed per objective in perform_create

    def get_base_queryset(self, organization):
        return Measurement.objects.filter(organization=organization).select_related(
            "objective", "entered_by"
        )

    def _replaces(self):
        """A POST records the period's first value; it corrects an existing one only when its
        `If-Match` names that value's ETag (a bare `*`: whatever it is). Two clients that each meant
        to record the first value do not silently replace each other's."""
        header = self.request.headers.get("If-Match")
        if header is None:
            return None
        versions = if_match_versions(header)
        return services.UNCHECKED if versions is None else versions

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
                replaces=self._replaces(),
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        except services.MeasurementConflict as error:
            if "If-Match" in request.headers:  # the value it named changed: a stale write
                raise PreconditionFailed(str(error), current=error.current) from error
            if error.current is not None:  # a correction that did not name the value
                raise Conflict(_correction_needs_its_etag(error.current)) from error
            raise Conflict(str(error)) from error
        output = self.get_serializer(measurement)
        response = Response(
            output.data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )
        # What a later correction of this value sends back as If-Match.
        response["ETag"] = f'"{version_of(measurement)}"'
        return response

    @extend_schema(request=WithdrawSerializer, responses={204: None})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, org_slug=None, pk=None):
        """Withdraw a value (logged for the wrong period, say): the period is missing again;
        the audit trail keeps who, when, the value and the reason. A value a management review
        saw answers 409: a quality manager corrects it instead. Takes `If-Match`."""
        measurement = self.get_object()
        if not can_log_values(self.membership, measurement.objective):
            raise exceptions.PermissionDenied(
                "Only the objective's owner or a quality manager withdraws its values."
            )
        body = WithdrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.measurement_withdraw(
                measurement=measurement, actor=request.user, reason=body.validated_data["reason"]
            )
        except DjangoValidationError as error:
            if measurement.seen_in_id is not None:  # evidence now: a conflict of state
                raise Conflict(" ".join(error.messages)) from error
            raise serializers.ValidationError(error.message_dict) from error
        return Response(status=status.HTTP_204_NO_CONTENT)


def _correction_needs_its_etag(current: Measurement) -> str:
    who, when = last_change(current)
    period = describe(current.objective.frequency, current.period_end)
    return (
        f"{current.objective.code} already has {current.value.normalize():f} for {period}, "
        f"recorded by {who} at {when:%Y-%m-%d %H:%M}; nothing was changed. To correct it, send "
        f'your value again with the header If-Match: "{version_of(current)}" (its ETag, also '
        f"on GET of measurement {current.pk})."
    )


class RollupSerializer(KpiValuesSerializer):
    """A rollup with its reading (`objectives.rollups.rollup_reading`): how many of the
    objective's periods it holds of how many, and for a sum the per-period value judged."""

    objective = serializers.CharField(source="objective.code")
    periods_expected = serializers.SerializerMethodField(
        help_text="The objective's reporting periods in this period (from its start date)."
    )
    complete = serializers.SerializerMethodField(
        help_text="False while a period has fewer values than periods_expected."
    )
    coverage = serializers.SerializerMethodField(
        help_text='"2 of 3 months", "1 of 3 months, in progress", "2 of 12 months; the objective '
        'started in November 2023"; empty when the period is whole and complete.'
    )
    judged_value = serializers.SerializerMethodField(
        help_text="The value the thresholds were applied to (a sum's average per period)."
    )

    class Meta:
        model = KpiRollup
        fields = [
            "objective",
            "granularity",
            "period_end",
            "value",
            "measurement_count",
            "periods_expected",
            "complete",
            "coverage",
            "judged_value",
            "status",
            "computed_at",
        ]

    def _reading(self, rollup: KpiRollup) -> RollupReading:
        cache = self.context.setdefault("readings", {})
        if rollup.pk not in cache:
            cache[rollup.pk] = rollup_reading(rollup.objective, rollup)
        return cache[rollup.pk]

    def get_periods_expected(self, rollup: KpiRollup) -> int:
        return self._reading(rollup).expected

    def get_complete(self, rollup: KpiRollup) -> bool:
        return self._reading(rollup).complete

    def get_coverage(self, rollup: KpiRollup) -> str:
        return self._reading(rollup).coverage

    def get_judged_value(self, rollup: KpiRollup) -> str | None:
        value = self._reading(rollup).judged_value
        # Six decimals at most (a mean may not end), without padding zeros, like the values.
        return None if value is None else f"{Decimal(f'{value:.6f}').normalize():f}"


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
