from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class RegistersConfig(AppConfig):
    name = "registers"
    verbose_name = "Реестры: выгрузка и загрузка"

    def ready(self):
        # Each app declares its registers in <app>/registers.py; importing them fills the registry.
        autodiscover_modules("registers")
