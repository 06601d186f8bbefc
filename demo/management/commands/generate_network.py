"""python manage.py generate_network [--regions 85 --municipalities 2300 --schools 40000 --teachers 1000000]"""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo.synthetic import Generator, Size

NUMBERS = (
    "regions",
    "municipalities",
    "schools",
    "teachers",
    "rmos",
    "events",
    "seed",
    "first",
    "orders",
    "meetings",
    "notifications",
    "import_rows",
    "compute",
)
SMALL = {
    "regions": 2,
    "municipalities": 10,
    "schools": 40,
    "teachers": 1000,
    "orders": 400,
    "notifications": 50,
    "import_rows": 20,
    "events": 5,
}


class Command(BaseCommand):
    help = (
        "Строит синтетическую сеть заданного размера (по умолчанию — близко к национальной): регионы, "
        "муниципалитеты, школы с ШМО по предметам, муниципальные предметные МО, педагоги и их членство, "
        "планы и отчёты с историей, заседания, приказы, мероприятия, курсы, банк практик, мониторинг. "
        "Регион, уже построенный раньше, пропускается: прерванный запуск можно повторить. Для нагрузочных проверок."
    )

    def add_arguments(self, parser):
        defaults = Size()
        for name in NUMBERS:
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name, type=int, default=None)
        parser.add_argument(
            "--small",
            action="store_true",
            help="2 региона, 10 муниципалитетов, 40 школ, 1000 педагогов, 400 приказов (для проверки)",
        )
        parser.add_argument("--no-extras", action="store_true", help="без объектов бенчмарка первого региона")
        parser.add_argument("--date", type=datetime.date.fromisoformat, default=None, help="«сегодня», ГГГГ-ММ-ДД")
        self.defaults = defaults

    def handle(self, *args, **opts):
        values = {name: getattr(Size(), name) for name in NUMBERS}
        if opts["small"]:
            values.update(SMALL)
        values.update({name: opts[name] for name in NUMBERS if opts[name] is not None})
        size = Size(**values, extras=not opts["no_extras"])
        today = opts["date"] or timezone.localdate()
        started = time.monotonic()
        try:
            counts = Generator(size, today, log=lambda line: self.stdout.write(line)).run()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.monotonic() - started
        summary = ", ".join(f"{k}: {v}" for k, v in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Готово за {seconds:.0f} с — {summary}"))
