import datetime

from django.core.management.base import CommandError

from history.commands import TrackedCommand
from network import clock
from orgunits.models import Region
from submissions.deadlines import run_sweep


class Command(TrackedCommand):  # its changes are attributed to the command in the history
    help = (
        "Проход по срокам: напоминания, просрочки, непредставленные документы (как ежедневная задача Celery). "
        "Без --date каждый регион проходится за свою сегодняшнюю дату (по его часовому поясу); с --date — все "
        "регионы за указанную дату."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="дата прохода ГГГГ-ММ-ДД (по умолчанию — сегодня в каждом регионе)")

    def handle(self, *args, **options):
        try:
            day = datetime.date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError as exc:
            raise CommandError("Дата в формате ГГГГ-ММ-ДД, например 2027-02-26.") from exc
        if day is not None:
            self.sweep(day, None)
            return
        # Time is the region's (issue 13): each region's «today» is the date on its own clock.
        for region in Region.objects.order_by("name"):
            self.sweep(clock.local_today(region), region)

    def sweep(self, day, region):
        try:
            report = run_sweep(day, region=region)
        except Exception as exc:
            report = getattr(exc, "sweep_report", None)
            if report is None:
                raise
            # The other steps ran (network.periodic): show what they did, then fail the command.
            for line in report.lines:
                self.stdout.write(line)
            self.stdout.write(report.summary())
            names = ", ".join(exc.failed_steps)
            raise CommandError(
                f"Не выполнены шаги прохода: {names}. Подробности в журнале; устраните причину и запустите "
                "команду снова — уже сделанное повторно не выполняется."
            ) from exc
        for line in report.lines:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(report.summary()))
