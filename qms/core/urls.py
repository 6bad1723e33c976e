"""Pages of an organisation: every URL here is under /o/<org_slug>/."""

from django.urls import path

from qms.core import views

app_name = "core"

urlpatterns = [
    path("", views.org_home, name="org-home"),
    path("people/", views.members, name="members"),
    path("units/", views.org_units, name="org-units"),
    path("audit-trail/", views.audit_trail, name="audit-trail"),
    path("system/", views.system_status, name="system"),
    path("system/test-task/", views.system_send_test_task, name="system-test-task"),
]
