from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "qms.evidence"
    label = "evidence"
