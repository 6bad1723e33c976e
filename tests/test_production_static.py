"""The production build collects static files with hashed names (whitenoise's manifest storage,
as the Dockerfile does with DEBUG off). Hashing rewrites every reference inside CSS and JS to
the referenced file's hashed name, so a vendored file that names a file we do not ship (a
source map, say) fails that step, and with it the image build and any DEBUG-off start."""

from django.core.management import call_command
from django.test import override_settings

MANIFEST_ONLY = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # The same hashing and reference checks as whitenoise's storage, without its compression
    # (which adds a minute and checks nothing more).
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}


def test_static_files_collect_with_hashed_names(tmp_path):
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=MANIFEST_ONLY):
        call_command("collectstatic", interactive=False, verbosity=0)
        from django.contrib.staticfiles.storage import staticfiles_storage

        # The pages load Bootstrap by its hashed name, so a new release is never served stale.
        hashed = staticfiles_storage.stored_name("vendor/bootstrap/bootstrap.bundle.min.js")
    assert hashed != "vendor/bootstrap/bootstrap.bundle.min.js"
    assert (tmp_path / hashed).exists()
