"""The registers of context and support that the generic framework serves (list, filters,
detail, import, API, audit): interested parties and their requirements (ISO 9001 4.2), and
processes (4.4). A process also has its own overview page (leadership.views.processes)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Count

from leadership.models import InterestedParty, PartyKind, PartyRequirement, Process
from leadership.registers import _objective_codes_to_form, _objective_lookup
from leadership.services.parties import CONTEXT_EDITORS, party_kinds_ensure_standard
from objectives.models import QualityObjective
from qms.core.registers.definition import Column, ImportColumn, Register, all_registers
from qms.core.registers.filters import RegisterFilterSet
from qms.core.registers.forms import RegisterForm
from qms.core.registers.importing import member_to_form
from qms.core.tenancy import links_outside_scope

TEXTAREA = forms.Textarea(attrs={"rows": 3})


def _date(value) -> str:
    return value.strftime("%-d %b %Y") if value else ""


# --- interested parties ------------------------------------------------------------------


class PartyForm(RegisterForm):
    class Meta:
        model = InterestedParty
        fields = ["title", "kind", "description", "review_due_on", "reviewed_on", "status"]
        widgets = {"description": TEXTAREA}

    def __init__(self, *args, organization, **kwargs):
        # The standard kinds are offered from the first party on; an organisation adds its own
        # on the party kinds page.
        party_kinds_ensure_standard(organization)
        super().__init__(*args, organization=organization, **kwargs)


class PartyFilter(RegisterFilterSet):
    search_fields = ("title", "description")

    class Meta:
        model = InterestedParty
        fields = ["kind", "status"]


def _kind_lookup(organization) -> dict:
    party_kinds_ensure_standard(organization)
    kinds = PartyKind.objects.for_organization(organization).values_list("name", "id")
    return {"kinds": {name.lower(): pk for name, pk in kinds}}


def _kind_to_form(cell, lookups) -> int:
    text = str(cell or "").strip()
    pk = lookups["kinds"].get(text.lower())
    if pk is None:
        raise ValueError(f"{text[:60]} is not a kind of party (add it on the party kinds page)")
    return pk


PARTIES = Register(
    key="interested-parties",
    model=InterestedParty,
    title="Interested parties",
    singular="interested party",
    clause="ISO 9001 4.2",
    lead="Who has a stake in the quality management system: customers, suppliers, "
    "regulators, employees, owners, the community, and what they require of it.",
    form_class=PartyForm,
    filterset_class=PartyFilter,
    columns=(
        Column("Party", lambda r: r.title, sort="title"),
        Column("Kind", lambda r: r.kind.name, sort="kind__name"),
        Column("Requirements", lambda r: len(r.requirements.all()), numeric=True),
        Column(
            "Unmonitored",
            lambda r: sum(1 for q in r.requirements.all() if _unmonitored(q)) or "",
            chip=lambda r: "red" if any(_unmonitored(q) for q in r.requirements.all()) else "",
            numeric=True,
        ),
        Column("Next review", lambda r: _date(r.review_due_on), sort="review_due_on"),
    ),
    detail_fields=("kind", "description", "review_due_on", "reviewed_on", "status"),
    import_columns=(
        ImportColumn("party", "title", "Name of the party.", "Key accounts", True),
        ImportColumn(
            "kind", "kind", "A kind of party, e.g. Customers.", "Customers", True, _kind_to_form
        ),
        ImportColumn("description", "description", "Why it matters to the QMS.", ""),
        ImportColumn("review_due_on", "review_due_on", "Date, YYYY-MM-DD.", "2026-12-31"),
    ),
    import_lookups=_kind_lookup,
    status_field="status",
    api_fields=("title", "kind", "description", "review_due_on", "reviewed_on", "status"),
    select_related=("kind",),
    prefetch_related=("requirements__objectives",),
    ordering=("title",),
    create_roles=CONTEXT_EDITORS,
    edit_roles=CONTEXT_EDITORS,
    nav_order=62,
    detail_template="leadership/party_requirements.html",
    empty_text="List who has a stake in your quality: customers, suppliers, regulators, "
    "employees, owners and investors, the community.",
)


# --- their requirements --------------------------------------------------------------------


def _unmonitored(requirement: PartyRequirement) -> bool:
    # An objective a unit auditor may not read still monitors it.
    return (
        not requirement.monitoring_register
        and not requirement.objectives.all()
        and not links_outside_scope(requirement, "objectives")
    )


def _register_choices() -> list[tuple[str, str]]:
    own = {"interested-parties", "party-requirements", "processes"}
    return [("", "None")] + [(r.key, r.title) for r in all_registers() if r.key not in own]


class RequirementForm(RegisterForm):
    monitoring_register = forms.ChoiceField(
        label="Monitoring register",
        required=False,
        choices=_register_choices,
        help_text="A register that monitors it, e.g. customer feedback.",
    )

    class Meta:
        model = PartyRequirement
        fields = [
            "party",
            "title",
            "description",
            "objectives",
            "monitoring_register",
            "monitoring_note",
            "review_due_on",
            "status",
        ]
        widgets = {"description": TEXTAREA, "objectives": forms.SelectMultiple(attrs={"size": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objectives"].queryset = self.fields["objectives"].queryset.order_by("code")


class RequirementFilter(RegisterFilterSet):
    search_fields = ("title", "description", "monitoring_note")
    objectives = django_filters.ModelChoiceFilter(
        label="Monitoring objective", queryset=QualityObjective.objects.order_by("code")
    )

    class Meta:
        model = PartyRequirement
        fields = ["party", "status", "objectives"]


def _party_lookup(organization) -> dict:
    parties = InterestedParty.objects.for_organization(organization).values_list("title", "id")
    return {"parties": {t.lower(): pk for t, pk in parties}} | _objective_lookup(organization)


def _party_to_form(cell, lookups) -> int:
    text = str(cell or "").strip()
    pk = lookups["parties"].get(text.lower())
    if pk is None:
        raise ValueError(f"{text[:60]} is not an interested party of this organisation")
    return pk


def _monitored_by(requirement: PartyRequirement) -> str:
    parts = [o.code for o in requirement.objectives.all()]
    if outside := links_outside_scope(requirement, "objectives"):
        parts.append(outside)
    if requirement.monitoring_register:
        parts.append(
            dict(_register_choices()).get(
                requirement.monitoring_register, requirement.monitoring_register
            )
        )
    return ", ".join(parts) or "Nothing monitors it"


REQUIREMENTS = Register(
    key="party-requirements",
    model=PartyRequirement,
    title="Party requirements",
    singular="requirement of an interested party",
    clause="ISO 9001 4.2",
    lead="What each interested party requires of the QMS, and the objectives or registers "
    "that monitor it. A requirement nothing monitors is flagged.",
    form_class=RequirementForm,
    filterset_class=RequirementFilter,
    columns=(
        Column("Requirement", lambda r: r.title, sort="title"),
        Column("Party", lambda r: r.party.title, sort="party__title"),
        Column(
            "Monitored by",
            _monitored_by,
            chip=lambda r: "red" if _unmonitored(r) else "green",
        ),
        Column("Next review", lambda r: _date(r.review_due_on), sort="review_due_on"),
    ),
    detail_fields=(
        "party",
        "description",
        "objectives",
        "monitoring_register",
        "monitoring_note",
        "review_due_on",
    ),
    import_columns=(
        ImportColumn(
            "party", "party", "Name of an interested party.", "Key accounts", True, _party_to_form
        ),
        ImportColumn("requirement", "title", "What the party requires.", "On-time delivery", True),
        ImportColumn("description", "description", "More detail.", ""),
        ImportColumn(
            "objective_codes",
            "objectives",
            "Codes of objectives that monitor it, separated by ;",
            "OBJ-01",
            to_form=_objective_codes_to_form,
        ),
        ImportColumn("monitoring_note", "monitoring_note", "How it is monitored.", ""),
        ImportColumn("review_due_on", "review_due_on", "Date, YYYY-MM-DD.", ""),
    ),
    import_lookups=_party_lookup,
    status_field="status",
    api_fields=(
        "party",
        "title",
        "description",
        "objectives",
        "monitoring_register",
        "monitoring_note",
        "review_due_on",
        "status",
    ),
    select_related=("party",),
    prefetch_related=("objectives",),
    ordering=("party__title", "number"),
    create_roles=CONTEXT_EDITORS,
    edit_roles=CONTEXT_EDITORS,
    nav_order=63,
    detail_template="leadership/requirement_monitoring.html",
    empty_text="Record what each interested party requires, and link the objectives or "
    "registers that show it is met.",
)


# --- processes -----------------------------------------------------------------------------


class ProcessForm(RegisterForm):
    class Meta:
        model = Process
        fields = [
            "title",
            "category",
            "owner",
            "org_unit",
            "purpose",
            "inputs",
            "outputs",
            "objectives",
            "risks",
            "documents",
            "hands_over_to",
            "status",
        ]
        widgets = {
            "purpose": TEXTAREA,
            "inputs": TEXTAREA,
            "outputs": TEXTAREA,
            "documents": TEXTAREA,
            "objectives": forms.SelectMultiple(attrs={"size": 6}),
            "risks": forms.SelectMultiple(attrs={"size": 6}),
            "hands_over_to": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objectives"].queryset = self.fields["objectives"].queryset.order_by("code")
        others = self.fields["hands_over_to"].queryset.order_by("number")
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["hands_over_to"].queryset = others


class ProcessFilter(RegisterFilterSet):
    search_fields = ("title", "purpose", "inputs", "outputs")
    # "Which process does this KPI measure?"
    objectives = django_filters.ModelChoiceFilter(
        label="KPI (objective)", queryset=QualityObjective.objects.order_by("code")
    )

    class Meta:
        model = Process
        fields = ["category", "status", "owner", "org_unit", "objectives"]


def _linked(record, field: str, attribute: str) -> str:
    """The linked records a unit auditor may read, by `attribute`, and how many others."""
    names = [getattr(o, attribute) for o in getattr(record, field).all()]
    if outside := links_outside_scope(record, field):
        names.append(outside)
    return ", ".join(names)


def _process_flags(process: Process) -> str:
    flags = []
    if process.owner_id is None:
        flags.append("No owner")
    if not process.objectives.all() and not links_outside_scope(process, "objectives"):
        flags.append("No KPI")
    return ", ".join(flags)


PROCESSES = Register(
    key="processes",
    model=Process,
    title="Processes",
    singular="process",
    clause="ISO 9001 4.4",
    lead="The business processes the QMS is built into: owner, inputs and outputs, the KPIs "
    "that measure them, their risks, and the processes they hand over to.",
    form_class=ProcessForm,
    filterset_class=ProcessFilter,
    columns=(
        Column("Process", lambda r: r.title, sort="title"),
        Column("Category", lambda r: r.get_category_display(), sort="category"),
        Column("Owner", lambda r: r.owner.display_name if r.owner else "No owner"),
        Column("KPIs", lambda r: _linked(r, "objectives", "code") or "No KPI"),
        Column("Hands over to", lambda r: _linked(r, "hands_over_to", "reference")),
        Column(
            "Flags",
            lambda r: _process_flags(r) or "Complete",
            chip=lambda r: "red" if _process_flags(r) else "green",
        ),
    ),
    detail_fields=(
        "category",
        "owner",
        "org_unit",
        "purpose",
        "inputs",
        "outputs",
        "objectives",
        "risks",
        "documents",
        "hands_over_to",
        "status",
    ),
    import_columns=(
        ImportColumn("process", "title", "Name of the process.", "Order to delivery", True),
        ImportColumn("category", "category", "core, support or management.", "core"),
        ImportColumn(
            "owner", "owner", "Username or e-mail of a member.", "quinn", to_form=member_to_form
        ),
        ImportColumn("purpose", "purpose", "What it is for.", ""),
        ImportColumn("inputs", "inputs", "What it takes in.", ""),
        ImportColumn("outputs", "outputs", "What it delivers.", ""),
        ImportColumn(
            "objective_codes",
            "objectives",
            "Codes of the objectives that measure it, separated by ;",
            "OBJ-01",
            to_form=_objective_codes_to_form,
        ),
        ImportColumn("documents", "documents", "Procedures and documents.", ""),
    ),
    import_lookups=_objective_lookup,
    status_field="status",
    api_fields=(
        "title",
        "category",
        "owner",
        "org_unit",
        "purpose",
        "inputs",
        "outputs",
        "objectives",
        "risks",
        "documents",
        "hands_over_to",
        "status",
    ),
    select_related=("owner__user", "org_unit"),
    prefetch_related=("objectives", "hands_over_to"),
    ordering=("number",),
    create_roles=CONTEXT_EDITORS,
    edit_roles=CONTEXT_EDITORS,
    nav_order=64,
    detail_template="leadership/process_links.html",
    action_kind="process",
    action_label="Process",
    empty_text="List the processes that deliver your products and services, who owns each, "
    "and the KPIs that measure them.",
)


def party_kind_counts(organization):
    return (
        PartyKind.objects.for_organization(organization)
        .annotate(party_count=Count("parties"))
        .order_by("name")
    )
