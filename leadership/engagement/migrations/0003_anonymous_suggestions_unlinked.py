"""Anonymous suggestions keep no link to their author: the submitter is cleared, their times
(and those of their audit versions) are put back to the start of the day, and the outcome
notifications sent to their authors, which named them, are deleted."""

import datetime

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone


def _day(moment):
    if moment is None:
        return None
    return timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(moment), datetime.time.min)
    )


def unlink_anonymous_suggestions(apps, schema_editor):
    Suggestion = apps.get_model("engagement", "Suggestion")
    HistoricalSuggestion = apps.get_model("engagement", "HistoricalSuggestion")
    Notification = apps.get_model("core", "Notification")
    ContentType = apps.get_model("contenttypes", "ContentType")
    anonymous = list(Suggestion.objects.filter(is_anonymous=True))
    for suggestion in anonymous:
        day = _day(suggestion.submitted_at)
        Suggestion.objects.filter(pk=suggestion.pk).update(
            submitted_by=None, submitted_at=day, created_at=day, updated_at=day
        )
        for version in HistoricalSuggestion.objects.filter(id=suggestion.pk):
            version.submitted_at = _day(version.submitted_at)
            version.created_at = _day(version.created_at)
            if version.history_type == "+":
                version.updated_at = version.history_date = _day(version.history_date)
            version.save(update_fields=["submitted_at", "created_at", "updated_at", "history_date"])
    content_type = ContentType.objects.filter(app_label="engagement", model="suggestion").first()
    if content_type is not None and anonymous:
        Notification.objects.filter(
            kind="suggestion-outcome",
            subject_type=content_type,
            subject_id__in=[s.pk for s in anonymous],
        ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_webhooks"),
        ("engagement", "0002_pulse_answers_sealed_results_frozen"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="suggestion",
            name="receipt_digest",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="historicalsuggestion",
            name="is_anonymous",
            field=models.BooleanField(
                default=False,
                help_text="We keep no record that it is yours, so nobody can find out, administrators included. You get a private receipt code to follow the outcome instead of a notification.",
                verbose_name="anonymous",
            ),
        ),
        migrations.AlterField(
            model_name="suggestion",
            name="is_anonymous",
            field=models.BooleanField(
                default=False,
                help_text="We keep no record that it is yours, so nobody can find out, administrators included. You get a private receipt code to follow the outcome instead of a notification.",
                verbose_name="anonymous",
            ),
        ),
        migrations.AlterField(
            model_name="suggestion",
            name="submitted_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.membership",
            ),
        ),
        migrations.RunPython(unlink_anonymous_suggestions, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="suggestion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("is_anonymous", True), ("submitted_by__isnull", True)),
                    models.Q(("is_anonymous", False), ("submitted_by__isnull", False)),
                    _connector="OR",
                ),
                name="suggestion_anonymous_has_no_submitter",
            ),
        ),
        migrations.AddConstraint(
            model_name="suggestion",
            constraint=models.UniqueConstraint(
                condition=models.Q(("receipt_digest", ""), _negated=True),
                fields=("receipt_digest",),
                name="suggestion_receipt_digest_unique",
            ),
        ),
    ]
