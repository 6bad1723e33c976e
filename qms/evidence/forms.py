"""Forms of the evidence pages."""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings

from qms.core.forms import DateInput, StaleEditMixin, StyledFormMixin
from qms.core.limits import check_size, max_bytes
from qms.core.models import Membership, OrgUnit
from qms.core.tenancy import units_in_scope, whole_scope_label
from qms.evidence.models import ReadinessThresholds

# A pack to verify; the largest ones are a year of a big site.
MAX_UPLOAD = max_bytes("EVIDENCE_VERIFY_MAX_BYTES")


class PackRequestForm(StyledFormMixin, forms.Form):
    org_unit = forms.ModelChoiceField(
        queryset=OrgUnit.objects.none(),
        required=False,
        label="Scope",
        empty_label="Whole organisation",
        help_text=(
            "A unit includes the units under it. A unit's pack holds that unit's objectives, "
            "analysis, improvement and audit trail; records of the whole organisation (policy, "
            "reviews, competence, ...) come in a pack of the whole organisation."
        ),
    )
    period_start = forms.DateField(label="From", widget=DateInput())
    period_end = forms.DateField(label="To", widget=DateInput())

    def __init__(self, *args, membership: Membership, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        # An auditor limited to a unit asks for packs of that subtree (the one rule).
        self.fields["org_unit"].queryset = units_in_scope(
            membership.organization, membership
        ).order_by("path")
        self.fields["org_unit"].empty_label = whole_scope_label(membership, "Whole organisation")
        self.fields[
            "period_end"
        ].help_text = f"At most {settings.EVIDENCE_MAX_PERIOD_DAYS} days, ending today at latest."
        if not self.is_bound:
            self.initial.setdefault("period_end", today)
            self.initial.setdefault("period_start", today - datetime.timedelta(days=364))


class VerifyForm(StyledFormMixin, forms.Form):
    pack = forms.FileField(label="Evidence pack (.zip)")

    def clean_pack(self):
        upload = self.cleaned_data["pack"]
        check_size(
            upload,
            MAX_UPLOAD,
            "Verify it with the command instead: python manage.py verify_evidence_pack PACK.zip",
        )
        return upload


class ThresholdsForm(StaleEditMixin, StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ReadinessThresholds
        fields = [
            "policy_review_months",
            "acknowledgement_percent",
            "action_overdue_days",
            "communication_on_time_percent",
        ]

    def clean(self):
        data = super().clean()
        for name in ("acknowledgement_percent", "communication_on_time_percent"):
            if (data.get(name) or 0) > 100:
                self.add_error(name, "A share is at most 100%.")
        if data.get("policy_review_months") == 0:
            self.add_error("policy_review_months", "Give at least one month.")
        return data
