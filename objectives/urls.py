"""Pages of the objectives app, under /o/<org_slug>/objectives/."""

from django.urls import path

from objectives.views import imports, pages

app_name = "objectives"

urlpatterns = [
    path("", pages.objective_list, name="list"),
    path("new/", pages.objective_create, name="create"),
    path("import/", imports.import_upload, name="import"),
    path("import/<int:pk>/", imports.import_detail, name="import-detail"),
    path("import/<int:pk>/status.json", imports.import_status, name="import-status"),
    path("<str:code>/", pages.objective_detail, name="detail"),
    path("<str:code>/edit/", pages.objective_edit, name="edit"),
    path("<str:code>/log/", pages.measurement_log, name="log"),
    path("<str:code>/plan/new/", pages.plan_step_create, name="plan-step-create"),
]
