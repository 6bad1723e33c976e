"""The webhook form of the administrators' page."""

from __future__ import annotations

from django import forms

from qms.core.forms import StaleEditMixin, StyledFormMixin
from qms.core.webhooks.models import EVENTS


class WebhookForm(StaleEditMixin, StyledFormMixin, forms.Form):
    url = forms.URLField(
        label="Endpoint address", max_length=500, assume_scheme="https",
        help_text="https://… on the internet; we POST JSON to it, signed with the secret.",
    )  # fmt: skip
    events = forms.MultipleChoiceField(
        choices=list(EVENTS.items()), widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(max_length=200, required=False)
    is_active = forms.BooleanField(label="Active", required=False, initial=True)
