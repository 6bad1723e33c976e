"""The dashboard's filters, read from the URL so that a view can be bookmarked and shared.

Bad input never fails the page: each filter that does not validate (a unit or executive of
another organisation, a date that is not a date, a custom period the wrong way round) falls
back to its default and the page says so in a sentence.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from operator import attrgetter

from django import forms

from objectives.periods import month_end, quarter_end
from qms.core.forms import DateInput, StyledFormMixin
from qms.core.models import Membership, Organization, OrgUnit
from qms.core.roles import Role
from qms.core.tenancy import members_in_scope, units_in_scope, whole_scope_label

THIS_QUARTER, LAST_12_MONTHS, CUSTOM = "quarter", "12m", "custom"
# The default first: a select without a value in the URL shows its first option.
PERIOD_CHOICES = [
    (LAST_12_MONTHS, "Last 12 months"),
    (THIS_QUARTER, "This quarter"),
    (CUSTOM, "Custom dates"),
]
DEFAULT_PERIOD = LAST_12_MONTHS
MAX_CUSTOM_DAYS = 3 * 366  # trends are drawn month by month: keep them readable
MAX_OBJECTIVES = 8  # KPI small multiples: more would not be read in a minute


@dataclass(frozen=True)
class Period:
    key: str
    start: datetime.date
    end: datetime.date
    label: str

    def month_ends(self, minimum: int = 6, maximum: int = 12) -> list[datetime.date]:
        """Month ends of the trend window: the period's months, widened back to `minimum` so a
        short period still shows a trend, cut to the latest `maximum`."""
        ends = []
        end = month_end(self.end)
        while end >= self.start or len(ends) < minimum:
            ends.append(end)
            end = month_end(end.replace(day=1) - datetime.timedelta(days=1))
            if len(ends) >= maximum:
                break
        return sorted(ends)


@dataclass(frozen=True)
class DashboardFilters:
    period: Period
    unit: OrgUnit | None = None
    executive: Membership | None = None
    objective_codes: tuple[str, ...] = field(default=())

    @property
    def executive_id(self) -> int | None:
        return self.executive.pk if self.executive else None


def period_for(
    key: str,
    today: datetime.date,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> Period:
    if key == CUSTOM and start and end:
        return Period(CUSTOM, start, end, f"{start:%-d %b %Y} to {end:%-d %b %Y}")
    if key == THIS_QUARTER:
        first = datetime.date(today.year, quarter_end(today).month - 2, 1)
        return Period(THIS_QUARTER, first, today, f"this quarter ({first:%b} to {today:%b %Y})")
    # The current month and the 11 before it.
    months_back = today.year * 12 + today.month - 1 - 11
    first = datetime.date(months_back // 12, months_back % 12 + 1, 1)
    return Period(LAST_12_MONTHS, first, today, f"the last 12 months ({first:%b %Y} to now)")


class DashboardFilterForm(StyledFormMixin, forms.Form):
    unit = forms.ModelChoiceField(
        label="Organisation unit (and below)", queryset=OrgUnit.objects.none(), required=False
    )
    period = forms.ChoiceField(label="Period", choices=PERIOD_CHOICES, required=False)
    start = forms.DateField(label="From", required=False, widget=DateInput)
    end = forms.DateField(label="To", required=False, widget=DateInput)
    executive = forms.ModelChoiceField(
        label="Executive", queryset=Membership.objects.none(), required=False
    )

    def __init__(self, *args, organization: Organization, membership=None, **kwargs):
        super().__init__(*args, **kwargs)
        # An auditor limited to a unit is offered that subtree's units and executives only.
        self.fields["unit"].queryset = units_in_scope(organization, membership)
        # Their figures never go beyond their unit: the empty choice says so.
        self.fields["unit"].empty_label = whole_scope_label(membership, "Whole organisation")
        self.fields["unit"].label_from_instance = attrgetter("choice_label")
        self.fields["executive"].queryset = members_in_scope(
            Membership.objects.for_organization(organization)
            .active()
            .with_role(Role.EXECUTIVE)
            .select_related("user")
            .order_by("user__first_name", "user__last_name"),
            membership,
        )
        self.fields["executive"].empty_label = "All executives"
        self.fields["executive"].label_from_instance = lambda m: m.display_name

    def clean(self):
        data = super().clean()
        if data.get("period") == CUSTOM:
            start, end = data.get("start"), data.get("end")
            if not (start and end):
                self.add_error("start", "A custom period needs both a from and a to date.")
            elif start > end:
                self.add_error("end", "The to date must be on or after the from date.")
            elif (end - start).days > MAX_CUSTOM_DAYS:
                self.add_error("end", "A custom period can be at most three years long.")
        return data


FALLBACK_MESSAGES = {
    "unit": "That organisation unit is not one of this organisation's: showing the whole "
    "organisation.",
    "executive": "That executive is not one of this organisation's: showing all executives.",
    "period": "That period is not one we know: showing the last 12 months.",
    "start": "The custom period was not valid (use two dates, from before to): showing the "
    "last 12 months.",
    "end": "The custom period was not valid (use two dates, from before to): showing the "
    "last 12 months.",
}


def read_filters(
    query, *, organization: Organization, today: datetime.date, membership=None
) -> tuple[DashboardFilterForm, DashboardFilters, list[str]]:
    """The filters from a query string, with a sentence for each one that fell back."""
    form = DashboardFilterForm(query, organization=organization, membership=membership)
    form.is_valid()
    data = form.cleaned_data  # holds only the fields that validated
    problems = list(dict.fromkeys(FALLBACK_MESSAGES[name] for name in form.errors))
    period_key = data.get("period") or DEFAULT_PERIOD
    if "start" in form.errors or "end" in form.errors:
        period_key = DEFAULT_PERIOD
    elif period_key == CUSTOM and data.get("start") and data["start"] > today:
        # Nothing has happened in it yet: its figures would be today's under a future heading
        # (try-out: "1 Jan 2099 to 31 Dec 2099 · as of 3 Dec 2026").
        problems.append(
            f"The custom period starts after today ({today:%-d %b %Y}), so it has no figures "
            "yet: showing the last 12 months."
        )
        period_key = DEFAULT_PERIOD
    period = period_for(period_key, today, data.get("start"), data.get("end"))
    codes = tuple(
        dict.fromkeys(c.strip() for c in query.getlist("objective") if c.strip() and len(c) < 40)
    )[:MAX_OBJECTIVES]
    filters = DashboardFilters(
        period=period,
        unit=data.get("unit"),
        executive=data.get("executive"),
        objective_codes=codes,
    )
    return form, filters, problems
