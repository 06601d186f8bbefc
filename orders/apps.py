from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Приказы"

    def ready(self):
        from . import pdf  # noqa: F401 - registers the order's PDF with network.pdf
