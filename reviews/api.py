"""Management reviews through the API: /api/v1/organizations/{slug}/management-reviews/.

Reading (list with status filter, one review with its frozen inputs, attendees, decisions and
their actions, addenda), planning, and each workflow step as its own endpoint calling the
same service as the page: 403 for a role that may not, 409 for a step not allowed now (e.g.
anything on a signed-off review), 400 for bad input."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action as workflow_step
from rest_framework.response import Response

from qms.core.actions.api import MemberRefSerializer
from qms.core.actions.forms import executive_choices, owner_choices
from qms.core.api.errors import run_service
from qms.core.api.scoping import OrganizationScopedViewSetMixin
from qms.core.models import Membership, OrgUnit
from qms.core.roles import ALL_ROLES
from reviews import selectors_meetings as selectors
from reviews.models import (
    ManagementReview,
    ReviewAttendee,
    ReviewDecision,
    ReviewSchedule,
    ReviewStatus,
)
from reviews.services import management_reviews as services

# --- output -----------------------------------------------------------------------------------


class InputSerializer(serializers.Serializer):
    key = serializers.CharField()
    clause = serializers.CharField()
    title = serializers.CharField()
    has_data = serializers.BooleanField()
    missing = serializers.CharField()
    data = serializers.JSONField()
    commentary = serializers.CharField()
    compiled_at = serializers.DateTimeField()


class AttendeeSerializer(serializers.Serializer):
    member = MemberRefSerializer(source="membership")
    attendance = serializers.CharField()
    is_top_management = serializers.BooleanField()


class DecisionActionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    due_date = serializers.DateField()


class DecisionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    kind = serializers.CharField()
    text = serializers.CharField()
    actions = DecisionActionSerializer(many=True)


class AddendumSerializer(serializers.Serializer):
    text = serializers.CharField()
    author = MemberRefSerializer()
    created_at = serializers.DateTimeField()


class ReviewSummarySerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    timing = serializers.SerializerMethodField()
    chair = MemberRefSerializer(allow_null=True)
    signed_off_by = MemberRefSerializer(allow_null=True)

    class Meta:
        model = ManagementReview
        fields = [
            "number", "reference", "title", "status", "planned_on", "held_on", "timing",
            "period_start", "period_end", "chair", "location", "signed_off_by", "signed_off_at",
        ]  # fmt: skip

    def get_timing(self, review) -> str:
        return review.timing_text()


class ReviewDetailSerializer(ReviewSummarySerializer):
    inputs = InputSerializer(many=True)
    attendees = AttendeeSerializer(many=True)
    decisions = serializers.SerializerMethodField()
    addenda = AddendumSerializer(many=True)

    class Meta(ReviewSummarySerializer.Meta):
        fields = [
            *ReviewSummarySerializer.Meta.fields,
            "minutes", "sign_off_comment", "skipped_reason", "inputs", "attendees", "decisions",
            "addenda",
        ]  # fmt: skip

    @extend_schema(responses=DecisionSerializer(many=True))
    def get_decisions(self, review) -> list[dict]:
        return DecisionSerializer(selectors.decisions_with_actions(review), many=True).data


# --- input ------------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class _Members(serializers.PrimaryKeyRelatedField):
    """A member of the request's organisation (another organisation's id is "does not exist")."""

    default_error_messages = {
        "does_not_exist": "There is no member {pk_value} in this organisation.",
        "incorrect_type": "Give the member's id (a membership id), a number.",
    }

    def __init__(self, executives_only=False, **kwargs):
        self.executives_only = executives_only
        super().__init__(**kwargs)

    def get_queryset(self):
        organization = self.context["organization"]
        if organization is None:
            return Membership.objects.none()
        return (executive_choices if self.executives_only else owner_choices)(organization)


class PlanInput(serializers.Serializer):
    title = serializers.CharField(max_length=150, required=False, default="Management review")
    planned_on = serializers.DateField()
    chair = _Members(executives_only=True, required=False, allow_null=True)
    location = serializers.CharField(max_length=200, required=False, default="")


class HoldInput(serializers.Serializer):
    held_on = serializers.DateField()


class RescheduleInput(serializers.Serializer):
    planned_on = serializers.DateField()


class SkipInput(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class RecordInput(serializers.Serializer):
    minutes = serializers.CharField(max_length=50_000, required=False, allow_blank=True)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    chair = _Members(executives_only=True, required=False)


class AttendanceInput(serializers.Serializer):
    member = serializers.PrimaryKeyRelatedField(queryset=Membership.objects.none())
    attendance = serializers.ChoiceField(choices=ReviewAttendee.Attendance.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organization = self.context.get("organization")
        self.fields["member"].queryset = Membership.objects.filter(organization=organization)


class CommentaryInput(serializers.Serializer):
    key = serializers.CharField(max_length=40)
    commentary = serializers.CharField(max_length=10_000, allow_blank=True)


class DecisionInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReviewDecision.Kind.choices)
    text = serializers.CharField(max_length=5_000)
    action_title = serializers.CharField(max_length=200)
    owner = _Members()
    accountable_executive = _Members(executives_only=True)
    due_date = serializers.DateField()


class SignOffInput(serializers.Serializer):
    comment = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class AddendumInput(serializers.Serializer):
    text = serializers.CharField(max_length=10_000)


# --- the viewset ------------------------------------------------------------------------------


class ManagementReviewViewSet(OrganizationScopedViewSetMixin, viewsets.GenericViewSet):
    """Management reviews (ISO 9001 9.3). Everyone reads; the quality team and executives plan,
    prepare, hold and record; only executives sign off; nothing changes after sign-off but
    addenda."""

    lookup_field = "number"
    lookup_value_regex = r"\d+"
    read_roles = ALL_ROLES
    write_roles = services.ORGANISER_ROLES

    def get_base_queryset(self, organization):
        if organization is None:
            return ManagementReview.objects.none()
        return selectors.review_list(organization).prefetch_related(
            "inputs", "attendees__membership__user", "addenda__author__user"
        )

    def get_serializer_class(self):
        return ReviewSummarySerializer if self.action == "list" else ReviewDetailSerializer

    def _input(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _output(self, review, status_code=status.HTTP_200_OK) -> Response:
        review = self.get_queryset().get(pk=review.pk)
        return Response(ReviewDetailSerializer(review).data, status=status_code)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=ReviewStatus.values, description="Only these.")
        ]
    )
    def list(self, request, org_slug=None):
        reviews = self.get_queryset().order_by("-planned_on", "-number")
        if request.query_params.get("status") in ReviewStatus.values:
            reviews = reviews.filter(status=request.query_params["status"])
        page = self.paginate_queryset(reviews)
        return self.get_paginated_response(ReviewSummarySerializer(page, many=True).data)

    def retrieve(self, request, org_slug=None, number=None):
        return Response(ReviewDetailSerializer(self.get_object()).data)

    @extend_schema(request=PlanInput, responses={201: ReviewDetailSerializer})
    def create(self, request, org_slug=None):
        data = self._input(PlanInput)
        review = run_service(lambda: services.review_plan(membership=self.membership, **data))
        return self._output(review, status.HTTP_201_CREATED)

    def _step(self, work) -> Response:
        review = self.get_object()
        run_service(lambda: work(review))
        return self._output(review)

    @extend_schema(request=None, responses=ReviewDetailSerializer)
    @workflow_step(detail=True, methods=["post"])
    def prepare(self, request, org_slug=None, number=None):
        """Compile (or recompile) the 9.3.2 inputs from the data since the previous review."""
        return self._step(lambda r: services.review_prepare(review=r, membership=self.membership))

    @extend_schema(request=CommentaryInput, responses=ReviewDetailSerializer)
    @workflow_step(detail=True, methods=["post"])
    def commentary(self, request, org_slug=None, number=None):
        """Set the commentary of one input (by key, e.g. "c_objectives")."""
        data = self._input(CommentaryInput)

        def work(review):
            item = review.inputs.filter(key=data["key"]).first()
            if item is None:
                raise serializers.ValidationError({"key": "This review has no such input."})
            services.review_input_comment(
                review_input=item, membership=self.membership, commentary=data["commentary"]
            )

        return self._step(work)

    @extend_schema(request=HoldInput, responses=ReviewDetailSerializer)
    @workflow_step(detail=True, methods=["post"])
    def hold(self, request, org_slug=None, number=None):
        """Record the meeting day: the inputs are compiled up to it and frozen."""
        data = self._input(HoldInput)
        return self._step(
            lambda r: services.review_hold(review=r, membership=self.membership, **data)
        )

    @extend_schema(request=SkipInput, responses=ReviewDetailSerializer)
    @workflow_step(detail=True, methods=["post"])
    def skip(self, request, org_slug=None, number=None):
        data = self._input(SkipInput)
        return self._step(
            lambda r: services.review_skip(review=r, membership=self.membership, **data)
        )

    @extend_schema(request=RescheduleInput, responses=ReviewDetailSerializer)
    @workflow_step(detail=True, methods=["post"])
    def reschedule(self, request, org_slug=None, number=None):
        """Move a review not yet held; invitees get the updated calendar invitation."""
        data = self._input(RescheduleInput)
        return self._step(
            lambda r: services.review_reschedule(review=r, membership=self.membership, **data)
        )

    @extend_schema(request=RecordInput, responses=ReviewDetailSerializer)
    @workflow_step(detail=True, methods=["post"])
    def record(self, request, org_slug=None, number=None):
        """Minutes, location and chair of the meeting."""
        data = self._input(RecordInput)
        return self._step(
            lambda r: services.review_record_update(review=r, membership=self.membership, **data)
        )

    @extend_schema(request=AttendanceInput, responses=ReviewDetailSerializer)
    @workflow_step(detail=True, methods=["post"])
    def attendance(self, request, org_slug=None, number=None):
        data = self._input(AttendanceInput)
        return self._step(
            lambda r: services.review_attendance_set(
                review=r, membership=self.membership, attendee=data["member"],
                attendance=data["attendance"],
            )
        )  # fmt: skip

    @extend_schema(request=DecisionInput, responses={201: ReviewDetailSerializer})
    @workflow_step(detail=True, methods=["post"])
    def decisions(self, request, org_slug=None, number=None):
        """A 9.3.3 decision of a held review, and the action that carries it out."""
        data = self._input(DecisionInput)
        review = self.get_object()
        run_service(
            lambda: services.review_decision_add(review=review, membership=self.membership, **data)
        )
        return self._output(review, status.HTTP_201_CREATED)

    @extend_schema(request=SignOffInput, responses=ReviewDetailSerializer)
    @workflow_step(detail=True, methods=["post"], url_path="sign-off")
    def sign_off(self, request, org_slug=None, number=None):
        """An executive signs off a held review; it is locked from then on."""
        data = self._input(SignOffInput)
        return self._step(
            lambda r: services.review_sign_off(review=r, membership=self.membership, **data)
        )

    @extend_schema(request=AddendumInput, responses={201: ReviewDetailSerializer})
    @workflow_step(detail=True, methods=["post"])
    def addenda(self, request, org_slug=None, number=None):
        """A correction or note to a signed-off review."""
        data = self._input(AddendumInput)
        review = self.get_object()
        run_service(
            lambda: services.review_addendum_add(review=review, membership=self.membership, **data)
        )
        return self._output(review, status.HTTP_201_CREATED)


class ScheduleSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewSchedule
        fields = ["id", "title", "interval_months", "org_unit", "is_active"]


class ScheduleInput(serializers.Serializer):
    title = serializers.CharField(max_length=150)
    interval_months = serializers.IntegerField(min_value=1, max_value=24)
    first_planned_on = serializers.DateField()
    org_unit = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.none(), required=False, allow_null=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = OrgUnit.objects.filter(
            organization=self.context.get("organization")
        ).open()  # a new schedule: a closed unit takes no new records


class ReviewScheduleViewSet(OrganizationScopedViewSetMixin, viewsets.GenericViewSet):
    """Recurrences of management reviews: creating one plans its first review; each review of
    it that is held or skipped plans the next."""

    serializer_class = ScheduleSerializer
    read_roles = ALL_ROLES
    write_roles = services.ORGANISER_ROLES

    def get_base_queryset(self, organization):
        return ReviewSchedule.objects.filter(organization=organization).order_by("title", "id")

    def list(self, request, org_slug=None):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ScheduleSerializer(page, many=True).data)

    def retrieve(self, request, org_slug=None, pk=None):
        return Response(ScheduleSerializer(self.get_object()).data)

    @extend_schema(request=ScheduleInput, responses={201: ScheduleSerializer})
    def create(self, request, org_slug=None):
        serializer = ScheduleInput(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        schedule = run_service(
            lambda: services.schedule_create(
                membership=self.membership, **serializer.validated_data
            )
        )
        return Response(ScheduleSerializer(schedule).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("management-reviews", ManagementReviewViewSet, basename="management-review")
    router.register(
        "management-review-schedules", ReviewScheduleViewSet, basename="management-review-schedule"
    )
