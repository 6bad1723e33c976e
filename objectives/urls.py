"""Pages of the objectives app, under /o/<org_slug>/objectives/."""

from django.urls import path

from objectives.views import imports, pages, red

app_name = "objectives"

urlpatterns = [
    path("", pages.objective_list, name="list"),
    path("new/", pages.objective_create, name="create"),
    path("import/", imports.import_upload, name="import"),
    path("rules/", red.rules, name="rules"),
    path("import/<int:pk>/", imports.import_detail, name="import-detail"),
    path("import/<int:pk>/status.json", imports.import_status, name="import-status"),
    path("import/<int:pk>/again/", imports.import_again, name="import-again"),
    path("<str:code>/", pages.objective_detail, name="detail"),
    path("<str:code>/edit/", pages.objective_edit, name="edit"),
    path("<str:code>/log/", pages.measurement_log, name="log"),
    path("<str:code>/off-track/<int:pk>/explain/", red.red_explain, name="red-explain"),
    path("<str:code>/off-track/<int:pk>/accept/", red.red_accept, name="red-accept"),
    path("<str:code>/off-track/<int:pk>/dismiss/", red.red_dismiss, name="red-dismiss"),
    path("<str:code>/plan/new/", pages.plan_step_create, name="plan-step-create"),
]
