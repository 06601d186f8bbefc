from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "history"
    verbose_name = "История изменений"

    def ready(self):
        from . import taskcontext, tracked

        tracked.register_all()  # the change tracker's signals for every tracked model
        taskcontext.connect()  # Celery tasks act as «фоновая задача»
