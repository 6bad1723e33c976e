"""Signed suggestions are dated to the day too (submission time, record stamps, creating audit
version), as anonymous ones already were: an anonymous suggestion numbered between two signed
ones timed to the second was timed by them."""

import datetime

from django.db import migrations
from django.utils import timezone


def _day(moment):
    if moment is None:
        return None
    return timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(moment), datetime.time.min)
    )


def date_signed_suggestions_to_the_day(apps, schema_editor):
    Suggestion = apps.get_model("engagement", "Suggestion")
    HistoricalSuggestion = apps.get_model("engagement", "HistoricalSuggestion")
    for suggestion in Suggestion.objects.filter(is_anonymous=False).iterator():
        day = _day(suggestion.submitted_at)
        Suggestion.objects.filter(pk=suggestion.pk).update(submitted_at=day, created_at=day)
        for version in HistoricalSuggestion.objects.filter(id=suggestion.pk):
            version.submitted_at = _day(version.submitted_at)
            version.created_at = _day(version.created_at)
            fields = ["submitted_at", "created_at"]
            if version.history_type == "+":
                version.updated_at = version.history_date = _day(version.history_date)
                fields += ["updated_at", "history_date"]
            version.save(update_fields=fields)


class Migration(migrations.Migration):
    dependencies = [("engagement", "0003_anonymous_suggestions_unlinked")]

    operations = [
        migrations.RunPython(date_signed_suggestions_to_the_day, migrations.RunPython.noop),
    ]
