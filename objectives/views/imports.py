"""Measurement import pages: upload, then watch progress. (Being written.)"""

from django.http import HttpResponse


def import_upload(request, org_slug):  # pragma: no cover - placeholder until written
    return HttpResponse("Import is being built.", status=501)


def import_detail(request, org_slug, pk):  # pragma: no cover
    return HttpResponse("Import is being built.", status=501)


def import_status(request, org_slug, pk):  # pragma: no cover
    return HttpResponse("Import is being built.", status=501)
