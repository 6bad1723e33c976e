"""/api/v1/organizations/<slug>/... endpoints of leadership.engagement: suggestions (anyone who
writes submits; quality managers triage through one endpoint per decision), survey statements,
survey rounds (answer once; folded results only: no endpoint returns a response), milestones,
recognitions (executives give them) and lessons learned. 400 bad input, 403 role not allowed,
404 another organisation's record, 409 a step the record's state does not allow."""

from __future__ import annotations

import datetime

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from leadership.engagement import permissions
from leadership.engagement.lessons import lessons_learned
from leadership.engagement.models import (
    Milestone,
    Recognition,
    Suggestion,
    SurveyRound,
    SurveyStatement,
)
from leadership.engagement.models.surveys import (
    COMMENT_MAX_CHARS,
    comment_as_typed,
    comment_too_long,
)
from leadership.engagement.selectors import recognition as recognition_selectors
from leadership.engagement.selectors import suggestions as suggestion_selectors
from leadership.engagement.selectors.surveys import survey_results
from leadership.engagement.services import recognition as recognition_services
from leadership.engagement.services import suggestions as suggestion_services
from leadership.engagement.services import surveys as survey_services
from qms.core.api.errors import run_service
from qms.core.api.scoping import OrganizationScopedViewSetMixin
from qms.core.api.serializers import open_units_for
from qms.core.models import Membership, OrgUnit
from qms.core.roles import ALL_ROLES


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A related id that must belong to the request's organisation (others read as unknown)."""

    def get_queryset(self):
        organization = self.context.get("organization")
        queryset = super().get_queryset()
        if not organization:
            return queryset.none()
        queryset = queryset.filter(organization=organization)
        if queryset.model is OrgUnit:  # a closed unit takes no new records
            queryset = open_units_for(self, queryset)
        return queryset


# --- suggestions --------------------------------------------------------------------------------


class SuggestionSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    org_unit = ScopedPrimaryKeyField(
        queryset=OrgUnit.objects.all(), required=False, allow_null=True
    )
    submitted_by = serializers.SerializerMethodField()
    is_mine = serializers.SerializerMethodField()
    decided_by = serializers.CharField(source="decided_by.display_name", read_only=True, default="")
    action = serializers.CharField(source="action.reference", read_only=True, default="")
    duplicate_of = serializers.IntegerField(
        source="duplicate_of_id", read_only=True, allow_null=True
    )

    class Meta:
        model = Suggestion
        fields = [
            "id",
            "reference",
            "title",
            "description",
            "org_unit",
            "expected_benefit",
            "is_anonymous",
            "submitted_by",
            "is_mine",
            "submitted_at",
            "status",
            "decision_note",
            "decided_by",
            "decided_at",
            "action",
            "duplicate_of",
        ]
        read_only_fields = ["submitted_at", "status", "decision_note", "decided_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # Where it is shown everywhere: an anonymous suggestion's unit, folded into a larger
        # one while it is too small to name (selectors.suggestions.folded_units).
        data["org_unit"] = getattr(instance, "shown_unit_id", instance.org_unit_id)
        return data

    def get_submitted_by(self, obj) -> str:
        """The submitter's name, or "Anonymous"."""
        return obj.submitter_label()

    def get_is_mine(self, obj) -> bool:
        """Whether you made it (true only for you, anonymous or not)."""
        membership = self.context.get("membership")
        return membership is not None and obj.submitted_by_id == membership.pk


class ReceiptSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=100, help_text="The receipt code given on submitting.")


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class MergeSerializer(serializers.Serializer):
    duplicate_of = ScopedPrimaryKeyField(queryset=Suggestion.objects.all())
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class AcceptActionSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    owner = ScopedPrimaryKeyField(queryset=Membership.objects.all())
    accountable_executive = ScopedPrimaryKeyField(queryset=Membership.objects.all())
    due_date = serializers.DateField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class MonthFiguresSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="The first day of the month.")
    submitted = serializers.IntegerField()
    decided = serializers.IntegerField()
    accepted = serializers.IntegerField()
    days_to_decision = serializers.FloatField(allow_null=True)


class UnitFiguresSerializer(serializers.Serializer):
    unit_name = serializers.CharField()
    submitted = serializers.IntegerField()
    awaiting = serializers.IntegerField()
    accepted = serializers.IntegerField()
    declined = serializers.IntegerField()
    duplicate = serializers.IntegerField()


class FiguresSerializer(serializers.Serializer):
    months = MonthFiguresSerializer(many=True)
    units = UnitFiguresSerializer(many=True)


class SuggestionViewSet(
    OrganizationScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Improvement suggestions, newest first. Anyone who writes submits one (POST); quality
    managers decide with `accept-action/`, `accept-opportunity/`, `decline/` or `merge/`. The
    submitter of an anonymous suggestion is never returned."""

    serializer_class = SuggestionSerializer
    read_roles = ALL_ROLES
    write_roles = ALL_ROLES  # the services check who may submit and who may triage

    def get_base_queryset(self, organization):
        if organization is None:
            return Suggestion.objects.none()
        return suggestion_selectors.suggestion_list(organization=organization)

    @extend_schema(
        description="Submit a suggestion. For an anonymous one the answer also holds "
        "`receipt_code`, given this once: nothing else links the suggestion to you; follow it "
        "with `receipt/`."
    )
    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        code = getattr(getattr(self, "created", None), "receipt_code", None)
        if code:
            response.data["receipt_code"] = code
        return response

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = run_service(
            lambda: suggestion_services.suggestion_submit(
                membership=self.membership,
                title=data["title"],
                description=data.get("description", ""),
                org_unit=data.get("org_unit"),
                expected_benefit=data.get("expected_benefit", ""),
                is_anonymous=data.get("is_anonymous", False),
            )
        )
        self.created = serializer.instance

    @extend_schema(request=ReceiptSerializer, responses=SuggestionSerializer)
    @action(detail=False, methods=["post"])
    def receipt(self, request, *args, **kwargs):
        """The anonymous suggestion whose receipt code you hold (the code goes in the body, so
        no address in a log carries it)."""
        serializer = ReceiptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        suggestion = suggestion_selectors.suggestion_by_receipt(
            organization=self.organization, code=serializer.validated_data["code"]
        )
        if suggestion is None:
            raise exceptions.NotFound(
                "No anonymous suggestion of this organisation has that receipt code."
            )
        return Response(self.get_serializer(suggestion).data)

    @extend_schema(
        parameters=[OpenApiParameter("months", int, description="How many months back (1-36)")],
        responses=FiguresSerializer,
    )
    @action(detail=False, methods=["get"])
    def figures(self, request, *args, **kwargs):
        """Per month: submitted, decided, accepted, mean days to a decision; per unit: counts by
        outcome."""
        raw = request.query_params.get("months", "12")
        if not raw.isdigit() or not 1 <= int(raw) <= 36:
            raise serializers.ValidationError({"months": "Give a whole number of months, 1 to 36."})
        today = timezone.localdate()
        start = today.replace(day=1)
        for _ in range(int(raw) - 1):
            start = (start - datetime.timedelta(days=1)).replace(day=1)
        months, units = suggestion_selectors.suggestion_figures(
            organization=self.organization, start=start, end=today
        )
        return Response(FiguresSerializer({"months": months, "units": units}).data)

    def _decided(self, suggestion):
        return Response(self.get_serializer(self.get_queryset().get(pk=suggestion.pk)).data)

    def _triage_check(self):
        if not permissions.can_triage(self.membership):
            raise exceptions.PermissionDenied("Only quality managers triage suggestions.")

    @extend_schema(request=AcceptActionSerializer, responses=SuggestionSerializer)
    @action(detail=True, methods=["post"], url_path="accept-action")
    def accept_action(self, request, *args, **kwargs):
        """Accept it by raising an action (its source is the suggestion)."""
        self._triage_check()
        suggestion = self.get_object()
        serializer = AcceptActionSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        return self._decided(
            run_service(
                lambda: suggestion_services.suggestion_accept_as_action(
                    suggestion=suggestion,
                    actor=self.membership,
                    title=data.get("title", ""),
                    description=data.get("description", ""),
                    owner=data["owner"],
                    accountable_executive=data["accountable_executive"],
                    due_date=data["due_date"],
                    note=data.get("note", ""),
                )
            )
        )

    @extend_schema(request=NoteSerializer, responses=SuggestionSerializer)
    @action(detail=True, methods=["post"], url_path="accept-opportunity")
    def accept_opportunity(self, request, *args, **kwargs):
        """Accept it as an opportunity for improvement (listed by the next management review)."""
        self._triage_check()
        suggestion = self.get_object()
        serializer = NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._decided(
            run_service(
                lambda: suggestion_services.suggestion_accept_as_opportunity(
                    suggestion=suggestion,
                    actor=self.membership,
                    note=serializer.validated_data.get("note", ""),
                )
            )
        )

    @extend_schema(request=DeclineSerializer, responses=SuggestionSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, *args, **kwargs):
        """Decline it, saying why (the submitter reads the reason)."""
        self._triage_check()
        suggestion = self.get_object()
        serializer = DeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._decided(
            run_service(
                lambda: suggestion_services.suggestion_decline(
                    suggestion=suggestion,
                    actor=self.membership,
                    reason=serializer.validated_data["reason"],
                )
            )
        )

    @extend_schema(request=MergeSerializer, responses=SuggestionSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, *args, **kwargs):
        """Merge it into an earlier suggestion saying the same."""
        self._triage_check()
        suggestion = self.get_object()
        serializer = MergeSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return self._decided(
            run_service(
                lambda: suggestion_services.suggestion_merge(
                    suggestion=suggestion,
                    actor=self.membership,
                    duplicate_of=serializer.validated_data["duplicate_of"],
                    note=serializer.validated_data.get("note", ""),
                )
            )
        )


# --- pulse survey -------------------------------------------------------------------------------


class StatementSerializer(serializers.ModelSerializer):
    class Meta:
        model = SurveyStatement
        fields = ["id", "text", "order", "is_active"]


class StatementViewSet(
    OrganizationScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The survey's statements; quality managers and administrators add and edit them."""

    serializer_class = StatementSerializer
    read_roles = ALL_ROLES
    write_roles = permissions.SURVEY_EDITOR_ROLES
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_base_queryset(self, organization):
        return SurveyStatement.objects.filter(organization=organization).order_by("order", "id")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = run_service(
            lambda: survey_services.survey_statement_create(
                organization=self.organization,
                actor=self.membership,
                text=data["text"],
                order=data.get("order"),
            )
        )

    def perform_update(self, serializer):
        serializer.instance = run_service(
            lambda: survey_services.survey_statement_update(
                statement=serializer.instance, actor=self.membership, **serializer.validated_data
            )
        )


class QuestionSerializer(serializers.Serializer):
    key = serializers.CharField()
    text = serializers.CharField()


class RoundSerializer(serializers.ModelSerializer):
    questions = QuestionSerializer(many=True, read_only=True)
    is_open = serializers.SerializerMethodField()
    answered = serializers.SerializerMethodField()

    class Meta:
        model = SurveyRound
        fields = ["id", "number", "opens_on", "closes_on", "questions", "is_open", "answered"]

    def get_is_open(self, obj) -> bool:
        return obj.is_open(timezone.localdate())

    def get_answered(self, obj) -> bool:
        """Whether you have answered this round (never what)."""
        membership = self.context.get("membership")
        return membership is not None and obj.participations.filter(membership=membership).exists()


class AnswerSerializer(serializers.Serializer):
    scores = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=5),
        help_text='{"<question key>": 1..5} for every question of the round.',
    )
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=f"At most {COMMENT_MAX_CHARS:,} characters (a line break counts as one).",
    )

    def validate_comment(self, value):
        comment = comment_as_typed(value)
        if len(comment) > COMMENT_MAX_CHARS:
            raise serializers.ValidationError(comment_too_long(len(comment)))
        return comment

    def validate_scores(self, value):
        if len(value) > 20:
            raise serializers.ValidationError("Answer only the statements this round asks.")
        return value


class AnswerReceiptSerializer(serializers.Serializer):
    answered = serializers.BooleanField()


class QuestionMeanSerializer(serializers.Serializer):
    key = serializers.CharField()
    text = serializers.CharField()
    mean = serializers.FloatField()


class GroupSerializer(serializers.Serializer):
    label = serializers.CharField()
    unit_id = serializers.IntegerField(allow_null=True)
    respondents = serializers.IntegerField()
    mean = serializers.FloatField()
    folded_units = serializers.ListField(child=serializers.CharField())
    questions = QuestionMeanSerializer(many=True)
    comments = serializers.ListField(
        child=serializers.CharField(),
        help_text="The group's comments, alphabetical and apart from the scores.",
    )


class ResultsSerializer(serializers.Serializer):
    round = serializers.IntegerField(source="round.number")
    status = serializers.ChoiceField(
        choices=["open", "closed"],
        help_text="An open round has no figures until it has closed and been counted.",
    )
    closes_on = serializers.DateField(source="round.closes_on")
    answered_at_least = serializers.IntegerField(
        help_text="While open: how many have answered, rounded down to a multiple of 5."
    )
    respondents = serializers.IntegerField(allow_null=True)
    hidden_respondents = serializers.IntegerField()
    min_group = serializers.IntegerField()
    overall = GroupSerializer(allow_null=True)
    groups = GroupSerializer(many=True)


class RoundViewSet(
    OrganizationScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Pulse survey rounds, newest first. POST `answer/` answers an open round once (you get
    only a receipt); GET `results/` gives a closed round's frozen results (groups of at least
    six; management and auditors), and for an open round only how many have answered, in steps
    of five. No endpoint returns a single answer."""

    serializer_class = RoundSerializer
    read_roles = ALL_ROLES
    write_roles = permissions.SURVEY_RESPONDENT_ROLES

    def get_base_queryset(self, organization):
        return SurveyRound.objects.filter(organization=organization).order_by(
            "-opens_on", "-number"
        )

    @extend_schema(request=AnswerSerializer, responses={201: AnswerReceiptSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, *args, **kwargs):
        survey_round = self.get_object()
        serializer = AnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run_service(
            lambda: survey_services.survey_answer(
                membership=self.membership,
                survey_round=survey_round,
                scores=serializer.validated_data["scores"],
                comment=serializer.validated_data.get("comment", ""),
            )
        )
        return Response({"answered": True}, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ResultsSerializer)
    @action(detail=True, methods=["get"])
    def results(self, request, *args, **kwargs):
        if not permissions.can_see_survey_results(self.membership):
            raise exceptions.PermissionDenied(
                "Survey results are shown to management and auditors."
            )
        return Response(ResultsSerializer(survey_results(survey_round=self.get_object())).data)


# --- milestones and recognition -----------------------------------------------------------------


class MilestoneSerializer(serializers.ModelSerializer):
    executive = serializers.CharField(source="executive.display_name")
    recognised = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = [
            "id",
            "kind",
            "title",
            "objective",
            "org_unit",
            "period_end",
            "executive",
            "recognised",
            "dismissed_at",
        ]

    def get_recognised(self, obj) -> bool:
        return obj.recognitions.exists()


class MilestoneViewSet(
    OrganizationScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Milestones detected from the data, each proposed once to its accountable executive."""

    serializer_class = MilestoneSerializer
    read_roles = ALL_ROLES

    def get_base_queryset(self, organization):
        return (
            Milestone.objects.filter(organization=organization)
            .select_related("executive__user")
            .prefetch_related("recognitions")
            .order_by("-period_end", "-id")
        )


class RecognitionSerializer(serializers.ModelSerializer):
    given_by = serializers.CharField(source="given_by.display_name", read_only=True)
    recipient = ScopedPrimaryKeyField(
        queryset=Membership.objects.all(), required=False, allow_null=True
    )
    team = ScopedPrimaryKeyField(queryset=OrgUnit.objects.all(), required=False, allow_null=True)
    milestone = ScopedPrimaryKeyField(
        queryset=Milestone.objects.all(), required=False, allow_null=True
    )
    recognised = serializers.CharField(source="recipient_label", read_only=True)

    class Meta:
        model = Recognition
        fields = [
            "id",
            "given_by",
            "recipient",
            "team",
            "recognised",
            "milestone",
            "note",
            "given_on",
        ]
        read_only_fields = ["given_on"]


class RecognitionViewSet(
    OrganizationScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Recognitions, newest first; executives give them (POST), to a person or a team."""

    serializer_class = RecognitionSerializer
    read_roles = ALL_ROLES
    write_roles = permissions.RECOGNISER_ROLES

    def get_base_queryset(self, organization):
        if organization is None:
            return Recognition.objects.none()
        return recognition_selectors.recognition_list(organization=organization)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = run_service(
            lambda: recognition_services.recognition_give(
                executive=self.membership,
                note=data["note"],
                recipient=data.get("recipient"),
                team=data.get("team"),
                milestone=data.get("milestone"),
            )
        )


# --- lessons learned ----------------------------------------------------------------------------


class LessonSerializer(serializers.Serializer):
    kind = serializers.CharField()
    reference = serializers.CharField()
    title = serializers.CharField()
    lesson = serializers.CharField()
    closed_on = serializers.DateField(allow_null=True)
    unit_name = serializers.CharField()
    url = serializers.CharField()


class LessonViewSet(OrganizationScopedViewSetMixin, viewsets.GenericViewSet):
    """Lessons learned from closed nonconformities and missed objectives, newest first."""

    serializer_class = LessonSerializer
    read_roles = ALL_ROLES

    def get_base_queryset(self, organization):  # no model: the list is composed
        return Suggestion.objects.none()

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="Words to look for")],
        responses=LessonSerializer(many=True),
    )
    def list(self, request, *args, **kwargs):
        search = request.query_params.get("q", "")[:200]
        rows = lessons_learned(organization=self.organization, search=search)
        page = self.paginate_queryset(rows)
        if page is not None:
            return self.get_paginated_response(LessonSerializer(page, many=True).data)
        return Response(LessonSerializer(rows, many=True).data)


def register(router) -> None:
    """Add this app's viewsets to the organisation router."""
    router.register("suggestions", SuggestionViewSet, basename="suggestion")
    router.register("survey-statements", StatementViewSet, basename="survey-statement")
    router.register("survey-rounds", RoundViewSet, basename="survey-round")
    router.register("milestones", MilestoneViewSet, basename="milestone")
    router.register("recognitions", RecognitionViewSet, basename="recognition")
    router.register("lessons", LessonViewSet, basename="lesson")
