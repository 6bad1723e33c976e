"""Pages of leadership.communication, under /o/<org_slug>/communication/."""

from django.urls import path

from leadership.communication import views, views_activities

app_name = "communication"

urlpatterns = [
    path("", views.announcement_list, name="announcements"),
    path("announcements/new/", views.announcement_new, name="announcement-new"),
    path("announcements/<int:pk>/", views.announcement_detail, name="announcement"),
    path("plan/", views.plan, name="plan"),
    path("plan/new/", views.plan_item_edit, name="plan-item-new"),
    path("plan/<int:pk>/edit/", views.plan_item_edit, name="plan-item-edit"),
    path("plan/<int:pk>/done/", views.occurrence_done, name="occurrence-done"),
    path("activities/", views_activities.activities, name="activities"),
    path("activities/new/", views_activities.activity_edit, name="activity-new"),
    path("activities/<int:pk>/", views_activities.activity_detail, name="activity"),
    path("activities/<int:pk>/edit/", views_activities.activity_edit, name="activity-edit"),
    path(
        "activities/<int:pk>/follow-up/",
        views_activities.activity_follow_up,
        name="activity-follow-up",
    ),
]
