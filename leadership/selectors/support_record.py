"""What an executive's leadership record reads from competence, processes and the
certificate: the processes they own (and whether each is measured), the training they took
part in during the period, and their own competence records."""

from __future__ import annotations

import datetime

from django.db.models import Q

from leadership.models import CompetenceRecord, Process, TrainingAttendance
from leadership.selectors.processes import process_flags
from qms.core.models import Membership


def support_record_for(*, membership: Membership, start: datetime.date, end: datetime.date) -> dict:
    """Plain data for one member over [start, end]: `processes_owned` (reference, title,
    KPI codes, flags), `training` (topic, date, hours, attended, effectiveness) and
    `competences` (competence, level, attained, expires) in force at some time in the period."""
    processes = (
        Process.objects.filter(organization_id=membership.organization_id, owner=membership)
        .prefetch_related("objectives")
        .order_by("number")
    )
    attendances = (
        TrainingAttendance.objects.filter(
            membership=membership, session__held_on__gte=start, session__held_on__lte=end
        )
        .select_related("session")
        .order_by("session__held_on", "id")
    )
    records = (
        CompetenceRecord.objects.filter(membership=membership, attained_on__lte=end)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=start))
        .select_related("competence")
        .order_by("competence__name", "attained_on", "id")
    )
    return {
        "processes_owned": [
            {
                "reference": p.reference,
                "title": p.title,
                "kpis": sorted(o.code for o in p.objectives.all()),
                "flags": process_flags(p),
            }
            for p in processes
        ],
        "training": [
            {
                "topic": a.session.topic,
                "held_on": a.session.held_on,
                "hours": a.session.duration_hours,
                "attended": a.attended,
                "effectiveness": a.get_result_display() if a.result else "",
            }
            for a in attendances
        ],
        "competences": [
            {
                "competence": r.competence.name,
                "level": r.level,
                "attained_on": r.attained_on,
                "expires_on": r.expires_on,
            }
            for r in records
        ],
    }
