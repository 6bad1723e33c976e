"""Pages of the reviews app beyond the registers' own (those come from `qms.core.registers`)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from objectives.imports import summary
from qms.core.immutable import NotAllowed
from qms.core.registers.definition import get_register
from reviews.forms import SatisfactionObjectiveForm
from reviews.services import customer_satisfaction_to_objective


@require_POST
def satisfaction_to_objective(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Turn the survey scores of the customer feedback register into an objective's values."""
    register = get_register("customer-feedback")
    if not register.may_import(request.membership):
        raise PermissionDenied("Only the quality team updates objectives from feedback.")
    form = SatisfactionObjectiveForm(request.POST, organization=request.organization)
    if not form.is_valid():
        messages.error(request, "Choose an active objective of this organisation.")
        return redirect("registers:customer-feedback", org_slug=org_slug)
    objective = form.cleaned_data["objective"]
    try:
        result = customer_satisfaction_to_objective(objective=objective, user=request.user)
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("registers:customer-feedback", org_slug=org_slug)
    if result.total_rows == 0:
        messages.warning(
            request, f"No complete period has survey scores: {objective.code} is unchanged."
        )
    else:
        messages.success(request, f"{objective.code}: {summary(result)}")
    return redirect("objectives:detail", org_slug=org_slug, code=objective.code)
