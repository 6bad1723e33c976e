"""Actions API under /api/v1/organizations/{org_slug}/actions/: list with the page's filters,
read, raise, edit, and the workflow steps `start/`, `close/`, `verify/`, `cancel/` as their own
endpoints. Every write goes through `qms.core.actions.services`; answers are 400 for bad input,
403 for a role or person not allowed, 404 for another organisation's action, 409 for a step not
allowed in the action's current state."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import permissions as drf_permissions
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action as workflow_step
from rest_framework.response import Response

from qms.core.actions import permissions, selectors, services
from qms.core.actions.forms import SORT_CHOICES
from qms.core.actions.models import Action, ActionStatus, VerificationResult
from qms.core.actions.sources import kind_choices, resolve_source_ref
from qms.core.api.errors import run_service
from qms.core.api.scoping import OrganizationScopedViewSetMixin
from qms.core.models import Membership
from qms.core.roles import WRITER_ROLES

# --- output -----------------------------------------------------------------------------------


class MemberRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


class SourceSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text='"manual" when raised by hand, else a registered kind.')
    kind_label = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField(help_text="The source's page; empty when raised by hand.")
    ref = serializers.CharField(help_text='"<app_label>.<model_name>:<id>"; empty when by hand.')


class ActionSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=ActionStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    is_overdue = serializers.SerializerMethodField()
    source = serializers.SerializerMethodField()
    owner = MemberRefSerializer()
    accountable_executive = MemberRefSerializer()
    raised_by = MemberRefSerializer()
    closed_by = MemberRefSerializer(allow_null=True)
    verified_by = MemberRefSerializer(allow_null=True)
    # Plain text rather than a second enum of the verify step's `result` choices.
    verification_result = serializers.CharField(
        help_text='Of the latest effectiveness check: "effective", "not_effective", or empty '
        "while none was made."
    )

    class Meta:
        model = Action
        fields = [
            "number",
            "reference",
            "title",
            "description",
            "status",
            "status_label",
            "due_date",
            "is_overdue",
            "source",
            "owner",
            "accountable_executive",
            "raised_by",
            "closing_note",
            "closed_at",
            "closed_by",
            "verification_result",
            "verified_at",
            "verified_by",
            "verification_evidence",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_is_overdue(self, action: Action) -> bool:
        return action.is_overdue(self.context.get("today") or timezone.localdate())

    @extend_schema_field(SourceSerializer)
    def get_source(self, action: Action) -> dict:
        info = getattr(action, "source_info", None)
        if info is None:
            info = selectors.attach_sources([action])[0].source_info
        return SourceSerializer(info).data


# --- input ------------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class MemberField(serializers.PrimaryKeyRelatedField):
    """A member of the request's organisation by id; another organisation's member is "not
    found" like an unknown id, so nothing leaks."""

    default_error_messages = {
        "does_not_exist": "There is no member {pk_value} in this organisation.",
        "incorrect_type": "Give the member's id as a number.",
    }

    def get_queryset(self):
        organization = self.context.get("organization")
        if organization is None:
            return Membership.objects.none()
        return Membership.objects.for_organization(organization).select_related("user")


class ActionCreateInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    owner = MemberField(help_text="Membership id of the owner (not an auditor).")
    accountable_executive = MemberField(help_text="Membership id of an executive.")
    due_date = serializers.DateField(help_text="YYYY-MM-DD, today or later.")
    source = serializers.CharField(
        max_length=150,
        required=False,
        allow_blank=True,
        help_text='The record that raised it, "<app_label>.<model_name>:<id>", '
        'e.g. "objectives.qualityobjective:12". Omit when raised by hand.',
    )

    def validate_source(self, value: str):
        if not value:
            return None
        try:
            return resolve_source_ref(value, organization=self.context["organization"])
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error


class ActionUpdateInput(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    owner = MemberField(required=False)
    accountable_executive = MemberField(required=False)
    due_date = serializers.DateField(required=False)
    reason = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text="Kept in the history."
    )


class CloseInput(serializers.Serializer):
    note = serializers.CharField(max_length=5000, allow_blank=True, help_text="What was done.")


class VerifyInput(serializers.Serializer):
    result = serializers.ChoiceField(choices=VerificationResult.choices)
    evidence = serializers.CharField(max_length=5000, allow_blank=True)
    new_due_date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="When not effective: the reopened action's new due date.",
    )


class CancelInput(serializers.Serializer):
    reason = serializers.CharField(max_length=5000, allow_blank=True)


class ActionListQuery(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)
    owner = serializers.IntegerField(required=False, help_text="Membership id.")
    accountable_executive = serializers.IntegerField(required=False, help_text="Membership id.")
    source_kind = serializers.CharField(
        required=False, help_text='"manual" (raised by hand) or a source kind, e.g. "objective".'
    )
    overdue = serializers.BooleanField(required=False, default=False)
    search = serializers.CharField(required=False, max_length=100)
    sort = serializers.ChoiceField(choices=SORT_CHOICES, required=False, default="due")

    def validate_source_kind(self, value: str) -> str:
        kinds = [kind for kind, _ in kind_choices()]
        if value not in kinds:
            raise serializers.ValidationError(f"Use one of: {', '.join(kinds)}.")
        return value


# --- the viewset ------------------------------------------------------------------------------


class MayTakeThisStep(drf_permissions.BasePermission):
    """Who may take each step on this action (the rules the services enforce), asked when the
    action is looked up, before its input is read: a member who may not gets 403 whatever they
    sent, not a list of their input's errors."""

    RULES = {
        "partial_update": (
            permissions.can_edit,
            "Only quality managers, administrators and executives edit actions; the owner "
            "starts and closes them.",
        ),
        "cancel": (
            permissions.can_edit,
            "Only quality managers, administrators and executives cancel actions.",
        ),
        "start": (
            permissions.can_work_on,
            "Only the action's owner, or a quality manager, starts it.",
        ),
        "close": (
            permissions.can_work_on,
            "Only the action's owner, or a quality manager, closes it.",
        ),
        "verify": (
            permissions.can_verify,
            "Someone other than the owner (an executive, quality manager or administrator) checks "
            "the effectiveness of an action: nobody checks their own action.",
        ),
    }

    def has_object_permission(self, request, view, obj) -> bool:
        rule, message = self.RULES.get(view.action, (None, ""))
        if rule is None or rule(request.membership, obj):
            return True
        self.message = message
        return False


class ActionViewSet(OrganizationScopedViewSetMixin, viewsets.GenericViewSet):
    """Actions (ISO 9001 10.2). Quality managers, administrators and executives raise and edit
    any; contributors raise their own; the owner starts and closes; someone other than the owner
    checks effectiveness; auditors read."""

    serializer_class = ActionSerializer
    lookup_field = "number"
    lookup_value_regex = r"\d+"
    write_roles = WRITER_ROLES  # finer rules (owner, editor, verifier): MayTakeThisStep
    permission_classes = [*OrganizationScopedViewSetMixin.permission_classes, MayTakeThisStep]

    def get_base_queryset(self, organization):
        if organization is None:
            return Action.objects.none()
        return selectors.action_list(organization=organization).select_related(
            "raised_by__user", "closed_by__user", "verified_by__user"
        )

    def _output(self, action: Action, status_code: int = status.HTTP_200_OK) -> Response:
        action = self.get_queryset().get(pk=action.pk)
        selectors.attach_sources([action])
        return Response(self.get_serializer(action).data, status=status_code)

    @extend_schema(parameters=[ActionListQuery])
    def list(self, request, org_slug=None):
        query = ActionListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        filters = selectors.ActionFilters(
            status=data.get("status"),
            owner_id=data.get("owner"),
            executive_id=data.get("accountable_executive"),
            source_kind=data.get("source_kind"),
            overdue=data["overdue"],
            search=data.get("search", ""),
            sort=data["sort"],
        )
        actions = selectors.action_list(
            organization=self.organization, filters=filters
        ).select_related("raised_by__user", "closed_by__user", "verified_by__user")
        ids = self.paginate_queryset(actions.values_list("pk", flat=True))
        rows = selectors.attach_sources(selectors.actions_in_order(actions, ids))
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def retrieve(self, request, org_slug=None, number=None):
        action = self.get_object()
        selectors.attach_sources([action])
        return Response(self.get_serializer(action).data)

    @extend_schema(request=ActionCreateInput, responses={201: ActionSerializer})
    def create(self, request, org_slug=None):
        data = self._input(ActionCreateInput)
        action = run_service(
            lambda: services.action_create(
                organization=self.organization,
                raised_by=self.membership,
                title=data["title"],
                description=data.get("description", ""),
                owner=data["owner"],
                accountable_executive=data["accountable_executive"],
                due_date=data["due_date"],
                source=data.get("source"),
            )
        )
        return self._output(action, status.HTTP_201_CREATED)

    @extend_schema(request=ActionUpdateInput, responses=ActionSerializer)
    def partial_update(self, request, org_slug=None, number=None):
        action = self.get_object()
        data = dict(self._input(ActionUpdateInput))
        reason = data.pop("reason", "")
        action = run_service(
            lambda: services.action_update(
                action=action, actor=self.membership, reason=reason, **data
            )
        )
        return self._output(action)

    def _input(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(request=None, responses=ActionSerializer)
    @workflow_step(detail=True, methods=["post"])
    def start(self, request, org_slug=None, number=None):
        """The owner (or an editor) starts work: open → in progress."""
        action = self.get_object()
        action = run_service(lambda: services.action_start(action=action, actor=self.membership))
        return self._output(action)

    @extend_schema(request=CloseInput, responses=ActionSerializer)
    @workflow_step(detail=True, methods=["post"])
    def close(self, request, org_slug=None, number=None):
        """The owner (or an editor) closes it as done, saying what was done."""
        action = self.get_object()
        data = self._input(CloseInput)
        action = run_service(
            lambda: services.action_close(action=action, actor=self.membership, note=data["note"])
        )
        return self._output(action)

    @extend_schema(request=VerifyInput, responses=ActionSerializer)
    @workflow_step(detail=True, methods=["post"])
    def verify(self, request, org_slug=None, number=None):
        """Someone other than the owner records whether the done action was effective; not
        effective reopens it."""
        action = self.get_object()
        data = self._input(VerifyInput)
        action = run_service(
            lambda: services.action_verify(
                action=action,
                verifier=self.membership,
                result=data["result"],
                evidence=data["evidence"],
                new_due_date=data.get("new_due_date"),
            )
        )
        return self._output(action)

    @extend_schema(request=CancelInput, responses=ActionSerializer)
    @workflow_step(detail=True, methods=["post"])
    def cancel(self, request, org_slug=None, number=None):
        """An editor cancels an open action, saying why."""
        action = self.get_object()
        data = self._input(CancelInput)
        action = run_service(
            lambda: services.action_cancel(
                action=action, actor=self.membership, reason=data["reason"]
            )
        )
        return self._output(action)
