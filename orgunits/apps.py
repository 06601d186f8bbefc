from django.apps import AppConfig


class OrgUnitsConfig(AppConfig):
    name = "orgunits"
    verbose_name = "Сеть методических объединений"
