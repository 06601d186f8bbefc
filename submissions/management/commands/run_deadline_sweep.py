import datetime

from django.core.management.base import CommandError
from django.utils import timezone

from history.commands import TrackedCommand
from submissions.deadlines import run_sweep


class Command(TrackedCommand):  # its changes are attributed to the command in the history
    help = "Проход по срокам: напоминания, просрочки, непредставленные документы (как ежедневная задача Celery)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="дата прохода ГГГГ-ММ-ДД (по умолчанию — сегодня)")

    def handle(self, *args, **options):
        try:
            today = datetime.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError("Дата в формате ГГГГ-ММ-ДД, например 2027-02-26.") from exc
        try:
            report = run_sweep(today)
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
