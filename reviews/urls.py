"""Pages of the reviews app under /o/<org_slug>/reviews/ (registers live under /registers/)."""

from django.urls import path

from reviews.views import meetings, satisfaction

app_name = "reviews"

urlpatterns = [
    path("", meetings.review_list, name="list"),
    path("plan/", meetings.review_plan, name="plan"),
    path("schedule/", meetings.schedule_create, name="schedule"),
    path("<int:number>/", meetings.review_detail, name="detail"),
    path("<int:number>/print/", meetings.review_print, name="print"),
    path("<int:number>/prepare/", meetings.review_prepare, name="prepare"),
    path("<int:number>/inputs/<slug:key>/", meetings.input_comment, name="input-comment"),
    path("<int:number>/hold/", meetings.review_hold, name="hold"),
    path("<int:number>/skip/", meetings.review_skip, name="skip"),
    path("<int:number>/move/", meetings.review_reschedule, name="reschedule"),
    path("<int:number>/minutes.pdf", meetings.review_minutes_pdf, name="minutes-pdf"),
    path("<int:number>/record/", meetings.review_record, name="record"),
    path("<int:number>/attendance/", meetings.review_attendance, name="attendance"),
    path("<int:number>/decisions/", meetings.decision_add, name="decision"),
    path("<int:number>/sign-off/", meetings.review_sign_off, name="sign-off"),
    path("<int:number>/addenda/", meetings.addendum_add, name="addendum"),
    path(
        "customer-satisfaction/",
        satisfaction.satisfaction_to_objective,
        name="satisfaction-to-objective",
    ),
]
