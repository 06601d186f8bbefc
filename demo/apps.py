from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Made-up data: the demo network of `make run` (one module per app it fills, `load_demo_network`) and the
    synthetic national-size network of the benchmarks (`generate_network`). Production apps never import it;
    the unit kinds both build on come from orgunits.kinds, which production installs with `install_unit_kinds`."""

    name = "demo"
    verbose_name = "Демонстрационные данные"
