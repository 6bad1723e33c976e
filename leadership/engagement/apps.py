from django.apps import AppConfig


class EngagementConfig(AppConfig):
    """Staff engagement (ISO 9001 5.1, 7.3): improvement suggestions, anonymous pulse surveys,
    milestones and recognition, and the staff quality board. Its own app inside `leadership`
    (own migrations); it may read `leadership.communication`, never the other way."""

    name = "leadership.engagement"
    label = "engagement"
    verbose_name = "Leadership: engagement"
