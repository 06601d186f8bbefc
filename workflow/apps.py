from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = "Процессы согласования"

    def ready(self):
        # Each app declares its machines in <app>/machines.py; importing them fills the registry.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("machines")
