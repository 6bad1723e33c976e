"""python manage.py feedback_to_kpi --org SLUG --objective CODE [--from DATE] [--to DATE]"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from objectives.imports import summary
from objectives.models import QualityObjective
from qms.core.immutable import NotAllowed
from qms.core.roles import QUALITY_EDITOR_ROLES
from reviews.services import customer_satisfaction_to_objective


class Command(BaseCommand):
    help = (
        "Write the mean customer survey score of each complete period as an objective's values "
        "(as a quality manager of the organisation)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="organisation slug")
        parser.add_argument("--objective", required=True, help="objective code, e.g. OBJ-02")
        parser.add_argument("--from", dest="start", type=datetime.date.fromisoformat)
        parser.add_argument("--to", dest="end", type=datetime.date.fromisoformat)
        parser.add_argument(
            "--as", dest="username", help="username recorded in the audit trail (a quality manager)"
        )

    def handle(self, *args, org, objective, start, end, username, **options):
        found = (
            QualityObjective.objects.filter(organization__slug=org, code=objective)
            .select_related("organization")
            .first()
        )
        if found is None:
            raise CommandError(f"{org} has no objective {objective}.")
        users = get_user_model().objects.filter(
            memberships__organization=found.organization,
            memberships__role__in=QUALITY_EDITOR_ROLES,
            memberships__is_active=True,
        )
        user = (users.filter(username=username) if username else users.order_by("id")).first()
        if user is None:
            raise CommandError(
                f"No quality manager or admin {username or ''} in {org}.".replace("  ", " ")
            )
        try:
            result = customer_satisfaction_to_objective(
                objective=found, user=user, start=start, end=end
            )
        except (NotAllowed, ValidationError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{found.code}: {summary(result)}")
