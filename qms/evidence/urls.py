"""Evidence pages, under /o/<org_slug>/evidence/."""

app_name = "evidence"

urlpatterns: list = []
