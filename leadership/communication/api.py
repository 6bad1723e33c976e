"""/api/v1/organizations/<slug>/... endpoints of leadership.communication: announcements (publish,
read receipt, reach), the communication plan (items, due dates with status, recording one as
done) and leadership activities (log, correct, follow-up actions). Every write goes through a
service; 400 bad input, 403 role not allowed, 404 another organisation's record."""

from __future__ import annotations

import datetime

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from leadership.communication import permissions, selectors, services, services_activities
from leadership.communication.models import (
    ActivityKind,
    Announcement,
    CommunicationPlanItem,
    LeadershipActivity,
)
from leadership.communication.selectors_activities import follow_up_actions
from leadership.communication.selectors_plan import plan_rows
from qms.core.api.errors import run_service
from qms.core.api.scoping import OrganizationScopedViewSetMixin
from qms.core.api.serializers import open_units_for
from qms.core.models import Membership, OrgUnit
from qms.core.roles import ALL_ROLES, Role

ROLES_HELP = f"Role codes: {', '.join(Role.values)}. Empty means every staff role."
# The longest window of due dates one request may ask for.
MAX_PLAN_WINDOW_DAYS = 3 * 366


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


# --- announcements ------------------------------------------------------------------------------


class AnnouncementSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.display_name", read_only=True)
    target_units = ScopedPrimaryKeyField(many=True, queryset=OrgUnit.objects.all(), required=False)
    target_roles = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        max_length=10,
        help_text=ROLES_HELP,
    )
    plan_item = ScopedPrimaryKeyField(
        queryset=CommunicationPlanItem.objects.all(),
        required=False,
        allow_null=True,
        write_only=True,
        help_text="The plan item this announcement fulfils (with plan_due_on).",
    )
    plan_due_on = serializers.DateField(required=False, allow_null=True, write_only=True)
    corrects = ScopedPrimaryKeyField(
        queryset=Announcement.objects.all(), required=False, allow_null=True
    )
    fulfils = serializers.SerializerMethodField()
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Announcement
        fields = [
            "id",
            "title",
            "body",
            "author",
            "published_at",
            "target_units",
            "target_roles",
            "plan_item",
            "plan_due_on",
            "fulfils",
            "corrects",
            "recipients_count",
            "is_read",
        ]
        read_only_fields = ["published_at", "recipients_count"]
        extra_kwargs = {"body": {"max_length": 20_000}}

    def get_fulfils(self, obj) -> dict | None:
        occurrence = obj.plan_occurrence
        if occurrence is None:
            return None
        return {"plan_item": occurrence.item_id, "due_on": occurrence.due_on.isoformat()}

    def get_is_read(self, obj) -> bool | None:
        """Whether you read it; null when it was not sent to you."""
        if not getattr(obj, "my_receipt", 0):
            return None
        return not obj.my_unread


class ReachSerializer(serializers.Serializer):
    unit_id = serializers.IntegerField(allow_null=True)
    unit_name = serializers.CharField()
    targeted = serializers.IntegerField()
    read = serializers.IntegerField()
    rate = serializers.FloatField()


class AnnouncementReachSerializer(serializers.Serializer):
    total = ReachSerializer()
    units = ReachSerializer(many=True)


class AnnouncementViewSet(
    OrganizationScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Announcements you may see (management and auditors: all; others: those sent to you),
    newest first. POST publishes (executives and quality managers); published announcements
    never change (a correction is a new one with `corrects`). POST `read/` is your read receipt;
    GET `reach/` the reach per unit (management and auditors)."""

    serializer_class = AnnouncementSerializer
    read_roles = ALL_ROLES
    write_roles = ALL_ROLES  # publishing is checked by the service; read/ is for everyone
    auditor_write_actions = frozenset({"read"})  # a read receipt changes no quality record

    def get_base_queryset(self, organization):
        if organization is None:
            return Announcement.objects.none()
        return selectors.announcement_list(membership=self.membership)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else selectors.with_receipts(page, membership=self.membership)

    def _fresh(self, pk: int) -> Announcement:
        return selectors.with_receipts(
            [self.get_queryset().get(pk=pk)], membership=self.membership
        )[0]

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self._fresh(self.get_object().pk)).data)

    def create(self, request, *args, **kwargs):
        if not permissions.can_publish(self.membership):
            raise exceptions.PermissionDenied(
                "Only executives and quality managers publish announcements."
            )
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        announcement = run_service(
            lambda: services.announcement_publish(
                author=self.membership,
                title=data["title"],
                body=data["body"],
                target_units=data.get("target_units", []),
                target_roles=data.get("target_roles", []),
                plan_item=data.get("plan_item"),
                plan_due_on=data.get("plan_due_on"),
                corrects=data.get("corrects"),
            )
        )
        return Response(
            self.get_serializer(self._fresh(announcement.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses=AnnouncementSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, *args, **kwargs):
        """Record that you read it (the first time only)."""
        announcement = self.get_object()
        services.announcement_mark_read(announcement=announcement, membership=self.membership)
        return Response(self.get_serializer(self._fresh(announcement.pk)).data)

    @extend_schema(responses=AnnouncementReachSerializer)
    @action(detail=True, methods=["get"])
    def reach(self, request, *args, **kwargs):
        """Members who read it out of those it was sent to, overall and by their unit."""
        if not selectors.can_see_all_announcements(self.membership):
            raise exceptions.PermissionDenied(
                "The reach of announcements is shown to management and auditors."
            )
        announcement = self.get_object()
        total, units = selectors.announcement_reach(announcement=announcement)
        return Response(AnnouncementReachSerializer({"total": total, "units": units}).data)


# --- the plan -----------------------------------------------------------------------------------


class PlanItemSerializer(serializers.ModelSerializer):
    audience_units = ScopedPrimaryKeyField(
        many=True, queryset=OrgUnit.objects.all(), required=False
    )
    audience_roles = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        max_length=10,
        help_text=ROLES_HELP,
    )
    communicator = ScopedPrimaryKeyField(queryset=Membership.objects.all())
    communicator_name = serializers.CharField(source="communicator.display_name", read_only=True)

    class Meta:
        model = CommunicationPlanItem
        fields = [
            "id",
            "topic",
            "description",
            "recurrence",
            "starts_on",
            "ends_on",
            "audience_units",
            "audience_roles",
            "channel",
            "communicator",
            "communicator_name",
            "is_active",
        ]
        extra_kwargs = {"description": {"max_length": 5_000}}


class OccurrenceSerializer(serializers.Serializer):
    due_on = serializers.DateField()
    status = serializers.CharField(help_text="upcoming, due, on_time, late or missed")
    done_on = serializers.DateField(allow_null=True)
    note = serializers.CharField(allow_blank=True)
    announcements = serializers.ListField(child=serializers.IntegerField())


class OccurrenceDoneSerializer(serializers.Serializer):
    due_on = serializers.DateField()
    done_on = serializers.DateField(required=False)
    note = serializers.CharField(max_length=500)


def _occurrence_data(occurrence) -> dict:
    return {
        "due_on": occurrence.due_on,
        "status": str(occurrence.status),
        "done_on": occurrence.done_on,
        "note": occurrence.record.note if occurrence.record else "",
        "announcements": [a.pk for a in occurrence.announcements],
    }


class PlanItemViewSet(
    OrganizationScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The communication plan: what, when, to whom, how and who. Every member reads it; quality
    managers, executives and administrators edit it. `occurrences/` lists due dates with their
    status; POST `done/` records one as done (the communicator or an editor)."""

    serializer_class = PlanItemSerializer
    read_roles = ALL_ROLES
    write_roles = permissions.PLAN_EDITOR_ROLES
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_base_queryset(self, organization):
        return (
            CommunicationPlanItem.objects.filter(organization=organization)
            .select_related("communicator__user")
            .prefetch_related("audience_units")
            .order_by("topic", "id")
        )

    def get_permissions(self):
        if self.action == "done":
            # Communicators who are contributors record their own items; the service checks.
            self.write_roles = ALL_ROLES
        return super().get_permissions()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        units = data.pop("audience_units", [])
        serializer.instance = run_service(
            lambda: services.plan_item_create(actor=self.membership, audience_units=units, **data)
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        units = data.pop("audience_units", None)
        serializer.instance = run_service(
            lambda: services.plan_item_update(
                item=serializer.instance, actor=self.membership, audience_units=units, **data
            )
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("start", datetime.date, description="Default: 90 days ago."),
            OpenApiParameter("end", datetime.date, description="Default: 90 days ahead."),
        ],
        responses=OccurrenceSerializer(many=True),
    )
    # The window bounds the list (three years at most), so it is answered whole, not paged.
    @action(detail=True, methods=["get"], pagination_class=None)
    def occurrences(self, request, *args, **kwargs):
        """The item's due dates in a window (at most three years), each with its status."""
        item = self.get_object()
        today = timezone.localdate()
        start = self._date("start", today - datetime.timedelta(days=90))
        end = self._date("end", today + datetime.timedelta(days=90))
        if end < start or (end - start).days > MAX_PLAN_WINDOW_DAYS:
            raise serializers.ValidationError(
                {"end": "Give an end on or after the start, at most three years later."}
            )
        rows = plan_rows(
            organization=self.organization,
            start=start,
            end=end,
            today=today,
            include_inactive=True,
        )
        row = next((r for r in rows if r.item.pk == item.pk), None)
        data = [_occurrence_data(o) for o in row.occurrences] if row else []
        return Response(OccurrenceSerializer(data, many=True).data)

    def _date(self, name: str, default: datetime.date) -> datetime.date:
        raw = self.request.query_params.get(name)
        if not raw:
            return default
        try:
            return datetime.date.fromisoformat(raw)
        except ValueError:
            raise serializers.ValidationError({name: "Give a date as YYYY-MM-DD."}) from None

    @extend_schema(request=OccurrenceDoneSerializer, responses=OccurrenceSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, *args, **kwargs):
        """Record that the item was communicated for one due date, and how."""
        item = self.get_object()
        if not permissions.can_fulfil(self.membership, item):  # 403 before the input is read
            raise exceptions.PermissionDenied(
                "Only the item's communicator or a plan editor records it as done."
            )
        serializer = OccurrenceDoneSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = run_service(
            lambda: services.plan_occurrence_mark_done(
                item=item, actor=self.membership, **serializer.validated_data
            )
        )
        data = {
            "due_on": record.due_on,
            "status": "on_time" if record.on_time else "late",
            "done_on": record.done_on,
            "note": record.note,
            "announcements": [],
        }
        return Response(
            OccurrenceSerializer(data).data,
            status=status.HTTP_201_CREATED,
        )


# --- leadership activities ----------------------------------------------------------------------


class ActivitySerializer(serializers.ModelSerializer):
    executive = serializers.CharField(source="executive.display_name", read_only=True)
    org_unit = ScopedPrimaryKeyField(
        queryset=OrgUnit.objects.all(), required=False, allow_null=True
    )
    kind = serializers.ChoiceField(choices=ActivityKind.choices)

    class Meta:
        model = LeadershipActivity
        fields = ["id", "kind", "occurred_on", "title", "org_unit", "notes", "executive"]
        extra_kwargs = {"notes": {"max_length": 10_000}}


class FollowUpSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    owner = ScopedPrimaryKeyField(queryset=Membership.objects.all())
    due_date = serializers.DateField()
    description = serializers.CharField(max_length=5_000, required=False, allow_blank=True)


class FollowUpOutSerializer(serializers.Serializer):
    reference = serializers.CharField()
    title = serializers.CharField()
    owner = serializers.CharField(source="owner.display_name")
    due_date = serializers.DateField()
    status = serializers.CharField()


class LoggedThisActivity(BasePermission):
    """A change is the logging executive's: said when the record is fetched, so another
    executive is refused (403) before being asked for its version (428)."""

    message = services_activities.ONLY_THE_LOGGER_CHANGES

    def has_object_permission(self, request, view, obj) -> bool:
        if view.action not in ("update", "partial_update"):
            return True
        return permissions.can_change_activity(request.membership, obj)


class ActivityViewSet(
    OrganizationScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Leadership activities (5.1). Executives log their own and raise follow-up actions
    (POST `follow-ups/`); quality managers and auditors read them."""

    serializer_class = ActivitySerializer
    read_roles = permissions.ACTIVITY_READER_ROLES
    write_roles = permissions.ACTIVITY_LOGGER_ROLES
    permission_classes = [*OrganizationScopedViewSetMixin.permission_classes, LoggedThisActivity]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_base_queryset(self, organization):
        return (
            LeadershipActivity.objects.filter(organization=organization)
            .select_related("executive__user", "org_unit")
            .order_by("-occurred_on", "-id")
        )

    def perform_create(self, serializer):
        serializer.instance = run_service(
            lambda: services_activities.activity_log(
                executive=self.membership, **serializer.validated_data
            )
        )

    def perform_update(self, serializer):
        serializer.instance = run_service(
            lambda: services_activities.activity_update(
                activity=serializer.instance, actor=self.membership, **serializer.validated_data
            )
        )

    @extend_schema(methods=["GET"], responses=FollowUpOutSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=FollowUpSerializer,
        responses={201: FollowUpOutSerializer(many=True)},
    )
    # An activity's few follow-ups are answered whole, not paged.
    @action(detail=True, methods=["get", "post"], url_path="follow-ups", pagination_class=None)
    def follow_ups(self, request, *args, **kwargs):
        """GET: the activity's follow-up actions. POST: raise one (its executive only)."""
        activity = self.get_object()
        if request.method == "POST":
            serializer = FollowUpSerializer(
                data=request.data, context=self.get_serializer_context()
            )
            serializer.is_valid(raise_exception=True)
            run_service(
                lambda: services_activities.activity_follow_up(
                    activity=activity, actor=self.membership, **serializer.validated_data
                )
            )
        data = FollowUpOutSerializer(follow_up_actions(activity=activity), many=True).data
        return Response(data, status=status.HTTP_201_CREATED if request.method == "POST" else 200)


def register(router) -> None:
    """Add this app's viewsets to the organisation router."""
    router.register("announcements", AnnouncementViewSet, basename="announcement")
    router.register("communication-plan", PlanItemViewSet, basename="communication-plan-item")
    router.register("leadership-activities", ActivityViewSet, basename="leadership-activity")
