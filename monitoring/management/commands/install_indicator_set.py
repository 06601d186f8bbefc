from django.core.management.base import CommandError

from history.commands import TrackedCommand
from monitoring.definitions import IVOLGINSKY, install
from orgunits.models import Region


class Command(TrackedCommand):  # its changes are attributed to the command in the history
    help = "Установить региону набор показателей эффективности по таблице Иволгинского района (002)."

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="код региона, например bur")
        parser.add_argument("--not-default", action="store_true", help="не делать набор набором региона по умолчанию")

    def handle(self, *args, region, not_default, **options):
        target = Region.objects.filter(code=region).first()
        if target is None:
            raise CommandError(f"Регион с кодом «{region}» не найден.")
        indicator_set = install(target, IVOLGINSKY, default=not not_default)
        count = indicator_set.indicators.count()
        self.stdout.write(f"Набор «{indicator_set}» установлен региону «{target}»: показателей — {count}.")
