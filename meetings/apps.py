from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Заседания и протоколы"

    def ready(self):
        from . import pdf  # noqa: F401 - registers the protocol with network.pdf
