"""Serve plotly.min.js from the installed plotly package (never a CDN, never a stale copy)."""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_STATIC_PATH = "vendor/plotly/plotly.min.js"
_PACKAGE_DATA = Path(plotly.__file__).resolve().parent / "package_data"


class PlotlyFinder(BaseFinder):
    """Finds exactly one file, so collectstatic copies only plotly.min.js, not the package's
    other bundles and datasets."""

    storage = FileSystemStorage(location=str(_PACKAGE_DATA))

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        if path != PLOTLY_STATIC_PATH:
            return []  # Django's finders answer "not found" with an empty list
        found = str(_PACKAGE_DATA / "plotly.min.js")
        return [found] if find_all else found

    def list(self, ignore_patterns):
        storage = FileSystemStorage(location=str(_PACKAGE_DATA))
        storage.prefix = "vendor/plotly"
        yield "plotly.min.js", storage
