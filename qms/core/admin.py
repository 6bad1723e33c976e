"""Platform administration (Django admin, for superusers): organisations, units, members,
with their history (django-simple-history)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from qms.core.models import (
    Action,
    Membership,
    Organization,
    OrgUnit,
    OutboxTask,
    WorkerHeartbeat,
)


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "currency", "is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(OrgUnit)
class OrgUnitAdmin(TreeAdmin, SimpleHistoryAdmin):
    form = movenodeform_factory(OrgUnit)
    list_display = ["name", "organization", "kind", "code"]
    list_filter = ["organization", "kind"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "organization", "role", "org_unit", "access_expires_on", "is_active"]
    list_filter = ["organization", "role", "is_active"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "organization", "org_unit"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["source", "ran_at", "hostname", "runs"]


@admin.register(OutboxTask)
class OutboxTaskAdmin(admin.ModelAdmin):
    """What waits for the task queue, for support; the drain task empties it by itself."""

    list_display = ["task_name", "args", "created_at", "attempts", "last_error"]
    readonly_fields = ["task_name", "args", "created_at", "run_after", "attempts", "last_error"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    """Read for support; changes belong in the app, where the services check the workflow."""

    list_display = ["reference", "title", "organization", "status", "due_date", "owner"]
    list_filter = ["organization", "status"]
    search_fields = ["title"]
    list_select_related = ["organization", "owner__user"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
