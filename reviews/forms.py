"""Forms of the reviews app's own pages (the registers' forms are in `reviews.registers`)."""

from __future__ import annotations

from django import forms

from objectives.models import QualityObjective
from qms.core.forms import StyledFormMixin


class SatisfactionObjectiveForm(StyledFormMixin, forms.Form):
    objective = forms.ModelChoiceField(
        queryset=QualityObjective.objects.none(),
        label="Customer-satisfaction objective",
        help_text="Its values become the mean survey score (0 to 10) of each complete period.",
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = (
            QualityObjective.objects.for_organization(organization)
            .filter(status=QualityObjective.Status.ACTIVE)
            .order_by("code")
        )
