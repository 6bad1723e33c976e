"""Forms of engagement pages. Choices of units, members and suggestions are limited to the
organisation's own (a foreign id is "not one of the available choices")."""

from __future__ import annotations

import datetime
from operator import attrgetter

from django import forms
from django.utils import timezone

from leadership.engagement.models import Recognition, Suggestion, SuggestionStatus
from leadership.engagement.models.suggestions import ANONYMOUS_MIN_GROUP
from leadership.engagement.models.surveys import (
    COMMENT_MAX_CHARS,
    comment_as_typed,
    comment_too_long,
)
from leadership.engagement.selectors.suggestions import unit_headcounts
from qms.core.forms import DateInput, StyledFormMixin, member_label
from qms.core.models import Membership, OrgUnit, units_of
from qms.core.roles import Role


class SuggestionForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Suggestion
        fields = ["title", "org_unit", "description", "expected_benefit", "is_anonymous"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "expected_benefit": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "title": "What could be better?",
            "org_unit": "Where",
            "description": "Details",
            "expected_benefit": "Expected benefit",
            "is_anonymous": "Make it anonymous",
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        headcounts = unit_headcounts(organization)

        def label(unit: OrgUnit) -> str:
            if headcounts.get(unit.pk, 0) < ANONYMOUS_MIN_GROUP:
                return f"{unit.choice_label} (too small to name when anonymous)"
            return unit.choice_label

        self.fields["org_unit"].queryset = OrgUnit.objects.for_new_records(
            organization, units_of(self.instance, "org_unit")
        )
        self.fields["org_unit"].label_from_instance = label
        self.fields["org_unit"].empty_label = "The whole organisation"


class TriageForm(StyledFormMixin, forms.Form):
    DECISIONS = [
        ("action", "Accept: raise an action"),
        ("opportunity", "Accept as an opportunity for improvement (for the management review)"),
        ("decline", "Decline, with a reason"),
        ("duplicate", "Merge as a duplicate of another suggestion"),
    ]
    decision = forms.ChoiceField(choices=DECISIONS, widget=forms.RadioSelect)
    note = forms.CharField(
        label="Note to the submitter",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when declining: say why.",
    )
    action_title = forms.CharField(label="Action title", required=False, max_length=200)
    owner = forms.ModelChoiceField(queryset=Membership.objects.none(), required=False)
    accountable_executive = forms.ModelChoiceField(
        queryset=Membership.objects.none(), required=False
    )
    due_date = forms.DateField(required=False, widget=DateInput())
    duplicate_of = forms.ModelChoiceField(
        queryset=Suggestion.objects.none(), required=False, label="Duplicate of"
    )

    def __init__(self, *args, suggestion: Suggestion, **kwargs):
        super().__init__(*args, **kwargs)
        organization = suggestion.organization
        members = Membership.objects.for_organization(organization).assignable()
        self.fields["owner"].queryset = members
        self.fields["owner"].label_from_instance = member_label
        self.fields["accountable_executive"].queryset = members.filter(role=Role.EXECUTIVE)
        self.fields["accountable_executive"].label_from_instance = lambda m: m.display_name
        self.fields["duplicate_of"].queryset = (
            Suggestion.objects.for_organization(organization)
            .exclude(pk=suggestion.pk)
            .exclude(status=SuggestionStatus.DUPLICATE)
            .order_by("-submitted_at")
        )
        self.fields["duplicate_of"].label_from_instance = lambda s: f"{s.reference}: {s.title}"
        self.fields["action_title"].initial = suggestion.title
        self.fields["due_date"].initial = timezone.localdate() + datetime.timedelta(days=30)

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision == "action":
            for name, message in (
                ("owner", "Choose who owns the action."),
                ("accountable_executive", "Choose the executive accountable for it."),
                ("due_date", "Give the action's due date."),
            ):
                if not cleaned.get(name):
                    self.add_error(name, message)
        elif decision == "decline" and not (cleaned.get("note") or "").strip():
            self.add_error("note", "Say why the suggestion is declined; the submitter reads it.")
        elif decision == "duplicate" and not cleaned.get("duplicate_of"):
            self.add_error("duplicate_of", "Choose the suggestion it duplicates.")
        return cleaned


# What happens to a comment, said the same way on the form, the survey page and the results
# (`leadership.engagement.selectors.surveys.frozen_results` is what it describes).
COMMENT_HELP = (
    "Shown to management as you write it, after the round closes, never next to your scores: "
    "listed in alphabetical order with the other comments of the group your answers are counted "
    "in, which is your unit, or the unit above it when fewer than six people answered in yours "
    "(and so on up, to \u201cRest of the organisation\u201d). It is deleted unread only if no "
    "group of six or more contains it. Leave out anything that would tell who wrote it."
)


class SurveyAnswerForm(forms.Form):
    """One 1-to-5 choice per question of the round, and the comment."""

    SCALE = [
        (1, "1 Strongly disagree"),
        (2, "2 Disagree"),
        (3, "3 Neutral"),
        (4, "4 Agree"),
        (5, "5 Strongly agree"),
    ]

    def __init__(self, *args, survey_round, **kwargs):
        super().__init__(*args, **kwargs)
        for question in survey_round.questions:
            self.fields[f"q_{question['key']}"] = forms.TypedChoiceField(
                label=question["text"],
                choices=self.SCALE,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": "Choose a score from 1 to 5."},
            )
        self.fields["comment"] = forms.CharField(
            label="Anything else? (optional)",
            required=False,
            # The limit is checked in clean_comment, to say how long the comment is; the
            # attribute only stops the browser from taking more.
            widget=forms.Textarea(
                attrs={"rows": 3, "class": "form-control", "maxlength": COMMENT_MAX_CHARS}
            ),
            help_text=COMMENT_HELP,
        )

    def clean_comment(self) -> str:
        comment = comment_as_typed(self.cleaned_data.get("comment"))
        if len(comment) > COMMENT_MAX_CHARS:
            raise forms.ValidationError(comment_too_long(len(comment)))
        return comment

    @property
    def statements_unanswered(self) -> bool:
        """A score is missing or wrong (the banner asks for every statement only then)."""
        return any(name != "comment" for name in self.errors)

    def scores(self) -> dict[str, int]:
        return {
            name[2:]: value for name, value in self.cleaned_data.items() if name.startswith("q_")
        }


class StatementForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label="New statement", max_length=300)


class RecognitionForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Recognition
        fields = ["recipient", "team", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}
        labels = {"recipient": "Person", "team": "Team", "note": "Your note"}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = Membership.objects.for_organization(
            organization
        ).assignable()
        self.fields["recipient"].label_from_instance = member_label
        self.fields["team"].queryset = OrgUnit.objects.for_new_records(
            organization, units_of(self.instance, "team")
        )
        self.fields["team"].label_from_instance = attrgetter("choice_label")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("recipient") and not cleaned.get("team"):
            self.add_error("recipient", "Recognise a person or a team.")
        return cleaned
