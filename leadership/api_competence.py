"""API of competence, training and the certificate under /api/v1/organizations/{org_slug}/:
competences and their requirements, members' competence records, the matrix's gaps and
expiries, training sessions with their invite/attendance/evaluate steps, certificates and
their audits. Interested parties, their requirements and processes are registers: their API
comes with `qms.core.registers`. Every write goes through a service."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from leadership.models import (
    Certificate,
    CertificationAudit,
    Competence,
    CompetenceRecord,
    CompetenceRequirement,
    PartyKind,
    ResourceAllocation,
    Responsibility,
    TrainingAttendance,
    TrainingSession,
)
from leadership.selectors import competence as competence_selectors
from leadership.selectors import training as training_selectors
from leadership.services import certification as certification_services
from leadership.services import competence as competence_services
from leadership.services import training as training_services
from leadership.services.parties import CONTEXT_EDITORS, party_kind_add, party_kinds_ensure_standard
from qms.core.api.errors import run_service
from qms.core.api.scoping import OrganizationScopedViewSetMixin
from qms.core.models import Membership, OrgUnit, units_of
from qms.core.roles import QUALITY_EDITOR_ROLES


class _Scoped:
    """Limit every related-record field to the request organisation's own records."""

    scoped_fields: dict[str, type] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organization = self.context.get("organization")
        for name, model in self.scoped_fields.items():
            field = self.fields[name]
            relation = getattr(field, "child_relation", field)
            if organization is None:
                relation.queryset = model.objects.none()
            elif model is OrgUnit:  # a closed unit takes no new records
                relation.queryset = OrgUnit.objects.for_new_records(
                    organization, units_of(self.instance, name)
                )
            elif model is Membership:
                relation.queryset = Membership.objects.for_organization(organization).assignable()
            else:
                relation.queryset = model.objects.for_organization(organization)


class CompetenceRequirementSerializer(_Scoped, serializers.ModelSerializer):
    scoped_fields = {"competence": Competence, "responsibility": Responsibility}
    competence = serializers.PrimaryKeyRelatedField(queryset=Competence.objects.none())
    responsibility = serializers.PrimaryKeyRelatedField(
        queryset=Responsibility.objects.none(), required=False, allow_null=True
    )

    class Meta:
        model = CompetenceRequirement
        fields = ["id", "competence", "responsibility", "role", "level"]


class RequirementInputSerializer(_Scoped, serializers.Serializer):
    scoped_fields = {"competence": Competence, "responsibility": Responsibility}
    competence = serializers.PrimaryKeyRelatedField(queryset=Competence.objects.none())
    responsibility = serializers.PrimaryKeyRelatedField(
        queryset=Responsibility.objects.none(), required=False, allow_null=True
    )
    role = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    level = serializers.IntegerField(min_value=0, max_value=4, help_text="0 removes it.")


class CompetenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Competence
        fields = [
            "id",
            "name",
            "description",
            "level_1",
            "level_2",
            "level_3",
            "level_4",
            "validity_months",
        ]


class CompetenceViewSet(
    OrganizationScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Competences (ISO 9001 7.2) with what each level means. The quality team writes."""

    serializer_class = CompetenceSerializer

    def get_base_queryset(self, organization):
        if organization is None:
            return Competence.objects.none()
        return Competence.objects.for_organization(organization).order_by("name")

    def _save(self, serializer, instance):
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        if (
            Competence.objects.for_organization(self.organization)
            .filter(name__iexact=instance.name)
            .exclude(pk=instance.pk)
            .exists()
        ):
            raise serializers.ValidationError({"name": "A competence of this name exists already."})
        serializer.instance = run_service(
            lambda: competence_services.competence_save(
                membership=self.membership, competence=instance
            )
        )

    def perform_create(self, serializer):
        self._save(serializer, Competence(organization=self.organization))

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)


class CompetenceRequirementViewSet(
    OrganizationScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The level of a competence a responsibility's holders or a role require. Posting a level
    sets it (replacing an earlier one); level 0 removes the requirement."""

    serializer_class = CompetenceRequirementSerializer
    filterset_fields = ["competence", "responsibility", "role"]

    def get_base_queryset(self, organization):
        if organization is None:
            return CompetenceRequirement.objects.none()
        return (
            CompetenceRequirement.objects.for_organization(organization)
            .select_related("competence", "responsibility")
            .order_by("competence__name", "id")
        )

    @extend_schema(request=RequirementInputSerializer, responses=CompetenceRequirementSerializer)
    def create(self, request, *args, **kwargs):
        serializer = RequirementInputSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        requirement = run_service(
            lambda: competence_services.competence_requirement_set(
                membership=self.membership,
                competence=data["competence"],
                responsibility=data.get("responsibility"),
                role=data.get("role", ""),
                level=data["level"],
            )
        )
        if requirement is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(self.get_serializer(requirement).data, status=status.HTTP_201_CREATED)


class CompetenceRecordSerializer(_Scoped, serializers.ModelSerializer):
    scoped_fields = {"membership": Membership, "competence": Competence}
    membership = serializers.PrimaryKeyRelatedField(queryset=Membership.objects.none())
    competence = serializers.PrimaryKeyRelatedField(queryset=Competence.objects.none())
    member = serializers.CharField(source="membership.display_name", read_only=True)
    has_attachment = serializers.SerializerMethodField()

    class Meta:
        model = CompetenceRecord
        fields = [
            "id",
            "membership",
            "member",
            "competence",
            "level",
            "evidence_kind",
            "evidence",
            "attained_on",
            "expires_on",
            "has_attachment",
            "training_attendance",
        ]
        read_only_fields = ["training_attendance"]

    def get_has_attachment(self, record) -> bool:
        return bool(record.attachment)


class CompetenceRecordViewSet(
    OrganizationScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Members' competence records with their evidence (files through the page only)."""

    serializer_class = CompetenceRecordSerializer
    filterset_fields = ["membership", "competence", "evidence_kind"]

    def get_base_queryset(self, organization):
        if organization is None:
            return CompetenceRecord.objects.none()
        return competence_selectors.record_list(organization=organization)

    def perform_create(self, serializer):
        record = run_service(
            lambda: competence_services.competence_record_create(
                actor=self.membership, **serializer.validated_data
            )
        )
        serializer.instance = record

    @extend_schema(
        parameters=[OpenApiParameter("unit", int, description="Org unit id (and below).")],
        responses={200: dict},
    )
    @action(detail=False, methods=["get"])
    def gaps(self, request, org_slug=None):
        """The matrix's gaps and the competences expiring in the next 90 days."""
        unit = None
        if request.query_params.get("unit"):
            unit = (
                OrgUnit.objects.for_organization(self.organization)
                .filter(pk=request.query_params["unit"])
                .first()
                if request.query_params["unit"].isdigit()
                else None
            )
            if unit is None:
                raise serializers.ValidationError({"unit": "No such unit in this organisation."})
        summary = competence_selectors.competence_gaps_summary(
            organization=self.organization, unit=unit, today=timezone.localdate()
        )
        return Response(summary)


class AttendanceSerializer(serializers.ModelSerializer):
    member = serializers.CharField(source="membership.display_name", read_only=True)
    effectiveness = serializers.CharField(
        source="result", read_only=True, help_text="effective, partly, not_effective or empty."
    )
    method = serializers.CharField(read_only=True)
    evaluated_by = serializers.CharField(
        source="evaluated_by.display_name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = TrainingAttendance
        fields = [
            "id",
            "membership",
            "member",
            "attended",
            "effectiveness",
            "method",
            "evaluation_note",
            "evaluated_by",
            "evaluated_on",
        ]
        read_only_fields = fields


class TrainingSessionSerializer(_Scoped, serializers.ModelSerializer):
    scoped_fields = {
        "competences": Competence,
        "org_unit": OrgUnit,
        "resource_allocation": ResourceAllocation,
        "invitees": Membership,
    }
    competences = serializers.PrimaryKeyRelatedField(queryset=Competence.objects.none(), many=True)
    org_unit = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.none(), required=False, allow_null=True
    )
    resource_allocation = serializers.PrimaryKeyRelatedField(
        queryset=ResourceAllocation.objects.none(), required=False, allow_null=True
    )
    invitees = serializers.PrimaryKeyRelatedField(
        queryset=Membership.objects.none(), many=True, write_only=True, required=False
    )
    attendances = AttendanceSerializer(many=True, read_only=True)
    target_level = serializers.IntegerField(
        min_value=1, max_value=4, default=2, help_text="Level reached when effective, 1 to 4."
    )

    class Meta:
        model = TrainingSession
        fields = [
            "id",
            "topic",
            "kind",
            "competences",
            "target_level",
            "trainer",
            "held_on",
            "duration_hours",
            "org_unit",
            "resource_allocation",
            "evaluation_due_on",
            "invitees",
            "attendances",
        ]
        extra_kwargs = {"evaluation_due_on": {"required": False}}


class MembersSerializer(_Scoped, serializers.Serializer):
    scoped_fields = {"members": Membership}
    members = serializers.PrimaryKeyRelatedField(queryset=Membership.objects.none(), many=True)


class EvaluationSerializer(serializers.Serializer):
    attendance = serializers.IntegerField()
    effectiveness = serializers.ChoiceField(choices=TrainingAttendance.Result.choices)
    method = serializers.ChoiceField(choices=TrainingAttendance.Method.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    evaluated_on = serializers.DateField(required=False, allow_null=True, default=None)


class TrainingSessionViewSet(
    OrganizationScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Training sessions (ISO 9001 7.2 c): invite, take the register, evaluate effectiveness
    (which updates the attendee's competence records)."""

    serializer_class = TrainingSessionSerializer
    filterset_fields = ["kind", "org_unit"]

    def get_base_queryset(self, organization):
        if organization is None:
            return TrainingSession.objects.none()
        return training_selectors.session_list(organization=organization).prefetch_related(
            "attendances__membership__user", "attendances__evaluated_by__user"
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        competences, invitees = data.pop("competences"), data.pop("invitees", [])
        session = run_service(
            lambda: training_services.training_session_create(
                membership=self.membership, competences=competences, invitees=invitees, **data
            )
        )
        serializer.instance = self.get_queryset().get(pk=session.pk)

    def _members(self, request):
        serializer = MembersSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data["members"]

    def _answer(self, session):
        return Response(self.get_serializer(self.get_queryset().get(pk=session.pk)).data)

    @extend_schema(request=MembersSerializer, responses=TrainingSessionSerializer)
    @action(detail=True, methods=["post"], write_roles=QUALITY_EDITOR_ROLES)
    def invite(self, request, org_slug=None, pk=None):
        session = self.get_object()
        members = self._members(request)
        run_service(
            lambda: training_services.training_invite(
                session=session, membership=self.membership, invitees=members
            )
        )
        return self._answer(session)

    @extend_schema(request=MembersSerializer, responses=TrainingSessionSerializer)
    @action(detail=True, methods=["post"], write_roles=QUALITY_EDITOR_ROLES)
    def attendance(self, request, org_slug=None, pk=None):
        """The register: `members` attended; the other invitees did not."""
        session = self.get_object()
        members = self._members(request)
        run_service(
            lambda: training_services.training_attendance_mark(
                session=session, membership=self.membership, attended=members
            )
        )
        return self._answer(session)

    @extend_schema(request=EvaluationSerializer, responses=TrainingSessionSerializer)
    @action(detail=True, methods=["post"], write_roles=QUALITY_EDITOR_ROLES)
    def evaluate(self, request, org_slug=None, pk=None):
        session = self.get_object()
        serializer = EvaluationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        attendance = session.attendances.filter(pk=data["attendance"]).first()
        if attendance is None:
            raise serializers.ValidationError({"attendance": "Not an invitee of this session."})
        run_service(
            lambda: training_services.training_evaluate(
                attendance=attendance,
                evaluator=self.membership,
                result=data["effectiveness"],
                method=data["method"],
                note=data["note"],
                evaluated_on=data["evaluated_on"],
            )
        )
        return self._answer(session)


class CertificationAuditSerializer(serializers.ModelSerializer):
    class Meta:
        model = CertificationAudit
        fields = [
            "id",
            "kind",
            "planned_on",
            "held_on",
            "lead_auditor",
            "audit_reference",
            "result",
            "notes",
        ]


class CertificateSerializer(serializers.ModelSerializer):
    audits = CertificationAuditSerializer(many=True, read_only=True)
    state = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "id",
            "certification_body",
            "number",
            "standard",
            "edition",
            "scope",
            "sites",
            "issued_on",
            "expires_on",
            "status",
            "state",
            "audit_reminder_days",
            "expiry_reminder_days",
            "show_publicly",
            "audits",
        ]

    def get_state(self, certificate) -> str:
        return certificate.state_on(timezone.localdate())[0]


class CertificateViewSet(
    OrganizationScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The ISO 9001 certificate(s) and their audit cycle."""

    serializer_class = CertificateSerializer

    def get_base_queryset(self, organization):
        if organization is None:
            return Certificate.objects.none()
        return Certificate.objects.for_organization(organization).prefetch_related("audits")

    def _save(self, serializer, instance):
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        run_service(
            lambda: certification_services.certificate_save(
                membership=self.membership, certificate=instance
            )
        )
        serializer.instance = self.get_queryset().get(pk=instance.pk)

    def perform_create(self, serializer):
        self._save(serializer, Certificate(organization=self.organization))

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)

    @extend_schema(request=CertificationAuditSerializer, responses={201: CertificateSerializer})
    @action(detail=True, methods=["post"], write_roles=QUALITY_EDITOR_ROLES)
    def audits(self, request, org_slug=None, pk=None):
        """Add an audit to the certificate's cycle."""
        certificate = self.get_object()
        serializer = CertificationAuditSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        audit = CertificationAudit(
            organization=self.organization, certificate=certificate, **serializer.validated_data
        )
        run_service(
            lambda: certification_services.certification_audit_save(
                membership=self.membership, audit=audit
            )
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=certificate.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class PartyKindSerializer(serializers.ModelSerializer):
    class Meta:
        model = PartyKind
        fields = ["id", "name"]


class PartyKindViewSet(
    OrganizationScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Kinds of interested party (ISO 9001 4.2): the standard six and the organisation's own;
    the `kind` of an interested party is one of these ids."""

    serializer_class = PartyKindSerializer
    write_roles = CONTEXT_EDITORS
    # The list below only makes sure the standard kinds exist before DRF's own list, which
    # reads through get_queryset (and so the unit-auditor rule: kinds are organisation-wide,
    # like the interested parties that refer to them).
    unit_scoped_actions = ("list",)

    def get_base_queryset(self, organization):
        if organization is None:
            return PartyKind.objects.none()
        return PartyKind.objects.for_organization(organization).order_by("name")

    def list(self, request, *args, **kwargs):
        party_kinds_ensure_standard(self.organization)
        return super().list(request, *args, **kwargs)

    def perform_create(self, serializer):
        name = serializer.validated_data["name"].strip()
        if self.get_queryset().filter(name__iexact=name).exists():
            raise serializers.ValidationError({"name": "This kind of party exists already."})
        serializer.instance = run_service(
            lambda: party_kind_add(membership=self.membership, name=name)
        )


def register(router) -> None:
    router.register("party-kinds", PartyKindViewSet, basename="party-kind")
    router.register("competences", CompetenceViewSet, basename="competence")
    router.register(
        "competence-requirements", CompetenceRequirementViewSet, basename="competence-requirement"
    )
    router.register("competence-records", CompetenceRecordViewSet, basename="competence-record")
    router.register("training-sessions", TrainingSessionViewSet, basename="training-session")
    router.register("certificates", CertificateViewSet, basename="certificate")
