from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = "Методсеть"

    def ready(self):
        from . import context_processors  # noqa: F401 - connects the login signal that remembers the menu
