from django.apps import AppConfig


class GrowthConfig(AppConfig):
    name = "growth"
    verbose_name = "Профессиональный рост педагогов"
