"""Evidence pages, under /o/<org_slug>/evidence/."""

from django.urls import path

from qms.evidence import views

app_name = "evidence"

urlpatterns = [
    path("", views.packs, name="packs"),
    path("verify/", views.verify_page, name="verify"),
    path("public-key.pem", views.public_key, name="public-key"),
    path("verifier.py", views.verifier, name="verifier"),
    path("signing-key/rotate/", views.signing_key_rotate, name="signing-key-rotate"),
    path("access-log/", views.access_log, name="access-log"),
    path("readiness/", views.readiness_page, name="readiness"),
    path("<uuid:uuid>/", views.pack_detail, name="pack"),
    path("<uuid:uuid>/status/", views.pack_status, name="pack-status"),
    path("<uuid:uuid>/download/", views.pack_download, name="pack-download"),
]
