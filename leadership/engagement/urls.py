"""Pages of leadership.engagement, under /o/<org_slug>/engagement/."""

app_name = "engagement"

urlpatterns: list = []
