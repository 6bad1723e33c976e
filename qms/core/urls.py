"""Pages of an organisation: every URL here is under /o/<org_slug>/."""

from django.urls import path

from qms.core import views, views_people, views_units
from qms.core.actions import views as actions
from qms.core.calendar import views as calendar
from qms.core.invitations import views as invitations
from qms.core.notifications import views as notifications
from qms.core.webhooks import views as webhooks

app_name = "core"

urlpatterns = [
    path("", views.org_home, name="org-home"),
    path("people/", views.members, name="members"),
    path("people/<int:pk>/", views_people.member_detail, name="member"),
    path("people/<int:pk>/deactivate/", views_people.member_deactivate, name="member-deactivate"),
    path("people/<int:pk>/reactivate/", views_people.member_reactivate, name="member-reactivate"),
    path("people/invite/", invitations.invite, name="invite"),
    path(
        "people/invitations/<int:pk>/resend/",
        invitations.invitation_resend,
        name="invitation-resend",
    ),
    path(
        "people/invitations/<int:pk>/revoke/",
        invitations.invitation_revoke,
        name="invitation-revoke",
    ),
    path("units/", views.org_units, name="org-units"),
    path("units/new/", views_units.unit_add, name="org-unit-add"),
    path("units/import/", views_units.units_import, name="org-units-import"),
    path("units/<int:pk>/", views_units.unit_detail, name="org-unit"),
    path("units/<int:pk>/move/", views_units.unit_move, name="org-unit-move"),
    path("units/<int:pk>/close/", views_units.unit_close, name="org-unit-close"),
    path("units/<int:pk>/reopen/", views_units.unit_reopen, name="org-unit-reopen"),
    path("audit-trail/", views.audit_trail, name="audit-trail"),
    path("system/", views.system_status, name="system"),
    path("system/test-task/", views.system_send_test_task, name="system-test-task"),
    path("actions/", actions.action_list, name="actions"),
    path("actions/mine/", actions.my_actions, name="actions-mine"),
    # ?source=<app_label>.<model_name>:<pk> raises the action from that record.
    path("actions/new/", actions.action_new, name="action-new"),
    path("actions/<int:number>/", actions.action_detail, name="action-detail"),
    path("actions/<int:number>/edit/", actions.action_edit, name="action-edit"),
    path("actions/<int:number>/start/", actions.action_start, name="action-start"),
    path("actions/<int:number>/close/", actions.action_close, name="action-close"),
    path("actions/<int:number>/verify/", actions.action_verify, name="action-verify"),
    path("actions/<int:number>/cancel/", actions.action_cancel, name="action-cancel"),
    path("webhooks/", webhooks.webhook_list, name="webhooks"),
    path("webhooks/<int:pk>/", webhooks.webhook_detail, name="webhook"),
    path("webhooks/<int:pk>/secret/", webhooks.webhook_secret, name="webhook-secret"),
    path("webhooks/<int:pk>/delete/", webhooks.webhook_delete, name="webhook-delete"),
    path("calendar/", calendar.calendar_page, name="calendar"),
    path("calendar/reset/", calendar.calendar_reset, name="calendar-reset"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path(
        "notifications/read-all/",
        notifications.notifications_read_all,
        name="notifications-read-all",
    ),
    path("notifications/<int:pk>/open/", notifications.notification_open, name="notification-open"),
    path(
        "notifications/settings/",
        notifications.notification_settings,
        name="notification-settings",
    ),
]
