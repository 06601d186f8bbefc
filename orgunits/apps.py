from django.apps import AppConfig


class OrgUnitsConfig(AppConfig):
    name = "orgunits"
    verbose_name = "Сеть методических объединений"

    def ready(self):
        from . import context_processors  # noqa: F401 - connects the login signal that remembers the menu
