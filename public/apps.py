from django.apps import AppConfig


class PublicConfig(AppConfig):
    """The open pages of a region's network (001 §1.3, гласность) and the calendar feeds."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "public"
    verbose_name = "открытые данные и календари"
