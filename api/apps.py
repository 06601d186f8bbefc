from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API для региональных систем"

    def ready(self):
        from . import checks, schema  # noqa: F401 - the deployment check of the rate limit's cache; the token scheme
