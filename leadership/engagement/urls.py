"""Pages of leadership.engagement, under /o/<org_slug>/engagement/."""

from django.urls import path
from django.views.generic import RedirectView

from leadership.engagement import views

app_name = "engagement"

urlpatterns = [
    path(
        "",
        RedirectView.as_view(pattern_name="engagement:board", http_method_names=["get", "head"]),
        name="index",
    ),
    path("board/", views.board, name="board"),
    path("suggestions/", views.suggestion_list, name="suggestions"),
    path("suggestions/new/", views.suggestion_new, name="suggestion-new"),
    path("suggestions/sent/", views.suggestion_sent, name="suggestion-sent"),
    path("suggestions/receipt/", views.suggestion_receipt, name="suggestion-receipt"),
    path("suggestions/figures/", views.suggestion_figures, name="suggestion-figures"),
    path("suggestions/<int:pk>/", views.suggestion_detail, name="suggestion"),
    path("suggestions/<int:pk>/triage/", views.suggestion_triage, name="suggestion-triage"),
    path("survey/", views.survey, name="survey"),
    path("survey/results/", views.survey_results, name="survey-results"),
    path("survey/statements/", views.survey_statements, name="survey-statements"),
    path("recognition/", views.recognition, name="recognition"),
    path("recognition/new/", views.recognition_new, name="recognition-new"),
    path("lessons/", views.lessons, name="lessons"),
]
