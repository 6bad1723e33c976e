"""Template context for the top bar: how many unread notifications the member has.

Add "qms.core.notifications.context.unread_notifications" to TEMPLATES' context_processors."""

from qms.core.notifications.selectors import unread_count


def unread_notifications(request) -> dict:
    membership = getattr(request, "membership", None)
    if membership is None:
        return {"unread_notifications": 0}
    return {"unread_notifications": unread_count(membership)}
