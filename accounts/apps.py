from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Вход и учётные записи"

    def ready(self):
        # Connect the lockout log to axes's signal and start the idle clock at login.
        from . import lockouts, middleware  # noqa: F401
