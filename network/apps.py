from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = "Методсеть"

    def ready(self):
        from . import clock, context_processors  # noqa: F401 - login signals: the viewer's time zone, the menu
