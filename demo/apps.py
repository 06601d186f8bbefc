from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo network of `make run`: the modules that fill each app with demo data and the command that loads
    them. Production apps never import this package; only `load_demo_network` (and the benchmark's synthetic
    network) do."""

    name = "demo"
    verbose_name = "Демонстрационные данные"
