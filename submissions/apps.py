from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "submissions"
    verbose_name = "Согласование планов и отчётов"

    def ready(self):
        from . import pdf  # noqa: F401  registers the plan and report PDFs
