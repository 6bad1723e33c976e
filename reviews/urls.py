"""Pages of the reviews app under /o/<org_slug>/reviews/ (registers live under /registers/)."""

from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path(
        "customer-satisfaction/",
        views.satisfaction_to_objective,
        name="satisfaction-to-objective",
    ),
]
