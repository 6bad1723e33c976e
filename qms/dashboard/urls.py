"""The executive dashboard, under /o/<org_slug>/dashboard/."""

from django.urls import path

from qms.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("board.pdf", views.board_pdf, name="board-pdf"),
    path("tables.xlsx", views.board_xlsx, name="board-xlsx"),
    path("<slug:table>.csv", views.table_csv, name="table-csv"),
    path("leadership/<int:pk>/", views.executive_record, name="leadership-record"),
]
