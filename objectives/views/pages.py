"""Objective pages. (Being written.)"""

from django.http import HttpResponse


def _todo(*args, **kwargs):  # pragma: no cover - placeholder until written
    return HttpResponse("Being built.", status=501)


objective_list = objective_create = objective_detail = objective_edit = _todo
measurement_log = plan_step_create = _todo
