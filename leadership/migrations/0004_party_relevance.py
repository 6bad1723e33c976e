from django.db import migrations, models

RELEVANCE = [("relevant", "Relevant"), ("not_relevant", "No longer relevant")]
APPLICABILITY = [("applies", "Applies"), ("lapsed", "No longer applies")]


def _status():
    return models.CharField(choices=RELEVANCE, default="relevant", max_length=12)


def _applies():
    return models.CharField(choices=APPLICABILITY, default="applies", max_length=12)


class Migration(migrations.Migration):
    dependencies = [
        ("leadership", "0003_competence_parties_processes_certificate"),
    ]

    operations = [
        migrations.AddField(model_name="interestedparty", name="status", field=_status()),
        migrations.AddField(model_name="historicalinterestedparty", name="status", field=_status()),
        migrations.AddField(model_name="partyrequirement", name="status", field=_applies()),
        migrations.AddField(
            model_name="historicalpartyrequirement", name="status", field=_applies()
        ),
    ]
