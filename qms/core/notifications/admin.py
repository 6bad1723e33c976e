"""Platform admin for notifications (read-mostly: they are written by the reminder rules)."""

from django.contrib import admin

from qms.core.notifications.models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "recipient", "organization", "created_at", "read_at")
    list_display_links = ("title",)
    list_filter = ("kind", "email_status", "is_critical", "organization")
    search_fields = ("title", "subject_key", "occasion", "recipient__user__username")
    list_select_related = ("recipient__user", "recipient__organization", "organization")
    readonly_fields = (
        "organization",
        "recipient",
        "kind",
        "subject_type",
        "subject_id",
        "subject_key",
        "occasion",
        "created_at",
        "emailed_at",
        "email_attempts",
        "email_error",
    )
    date_hierarchy = "created_at"


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("membership", "kind", "muted")
    list_filter = ("kind", "muted")
    list_select_related = ("membership__user", "membership__organization")
    raw_id_fields = ("membership",)
