"""Notifications API under /api/v1/organizations/{org_slug}/notifications/: the caller's own
notifications (newest first, `?unread=true` for the unread ones; a notification whose decision
was taken is resolved, and read), and `POST {id}/read/` and
`POST read-all/` to mark them read. Another member's notification answers 404."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action as workflow_step
from rest_framework.response import Response

from qms.core.api.scoping import OrganizationScopedViewSetMixin
from qms.core.notifications import selectors, services
from qms.core.notifications.models import Notification
from qms.core.roles import ALL_ROLES


class NotificationSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(read_only=True)
    is_read = serializers.BooleanField(read_only=True)
    is_resolved = serializers.BooleanField(
        read_only=True,
        help_text="A decision it asked for was taken (by the recipient or anyone entitled).",
    )

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "kind_label",
            "title",
            "body",
            "url",
            "is_critical",
            "occasion",
            "subject_key",
            "created_at",
            "read_at",
            "is_read",
            "resolved_at",
            "is_resolved",
        ]
        read_only_fields = fields


class ReadAllOutput(serializers.Serializer):
    marked_read = serializers.IntegerField()


class NotificationViewSet(
    OrganizationScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's notifications in this organisation. Every member may read and mark their own
    (auditors too: marking read changes no quality record)."""

    unit_scoped = True  # a member's own notifications: open to an auditor limited to a unit

    serializer_class = NotificationSerializer
    read_roles = ALL_ROLES
    write_roles = ALL_ROLES
    auditor_write_actions = frozenset({"read", "read_all"})

    def get_base_queryset(self, organization):
        if organization is None or self.membership is None:
            return Notification.objects.none()
        return selectors.notification_list(self.membership)

    @extend_schema(
        parameters=[OpenApiParameter("unread", bool, description="Only unread ones when true.")]
    )
    def list(self, request, *args, **kwargs):
        queryset = self.get_queryset()
        if request.query_params.get("unread", "").lower() in ("1", "true", "yes"):
            queryset = queryset.unread()
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=None, responses=NotificationSerializer)
    @workflow_step(detail=True, methods=["post"])
    def read(self, request, *args, **kwargs):
        notification = services.notification_mark_read(notification=self.get_object())
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses=ReadAllOutput)
    @workflow_step(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request, *args, **kwargs):
        count = services.notifications_mark_all_read(membership=self.membership)
        return Response({"marked_read": count})
