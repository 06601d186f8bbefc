from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Вход и учётные записи"

    def ready(self):
        from . import lockouts  # noqa: F401 - connects the lockout log to axes's signal
