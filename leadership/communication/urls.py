"""Pages of leadership.communication, under /o/<org_slug>/communication/."""

app_name = "communication"

urlpatterns: list = []
