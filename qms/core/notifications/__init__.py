"""Notifications: reminders and escalations that apps declare as rules, delivered in the app and
by e-mail, each once per (recipient, kind, subject, occasion).

- `registry`: kinds, rules and digest sections that apps register from AppConfig.ready().
- `models`: the notification record (its unique constraint is the idempotency guarantee) and
  members' mute preferences.
- `services`: run the rules, create notifications, deliver e-mails; mark read; mute.
- `tasks`: the Celery tasks beat runs (`notifications.run_reminders`,
  `notifications.weekly_digest`).
"""
