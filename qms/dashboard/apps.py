from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "qms.dashboard"
    label = "dashboard"
