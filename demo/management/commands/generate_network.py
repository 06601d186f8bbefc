"""python manage.py generate_network [--regions 85 --municipalities 2300 --schools 40000 --teachers 1000000]"""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo.synthetic import Generator, Size


class Command(BaseCommand):
    help = (
        "Строит синтетическую сеть заданного размера (по умолчанию — близко к национальной): регионы, "
        "муниципалитеты, школы, педагоги, членство, планы и отчёты, мероприятия. Для нагрузочных проверок."
    )

    def add_arguments(self, parser):
        defaults = Size()
        for name in ("regions", "municipalities", "schools", "teachers", "rmos", "events", "seed", "first"):
            parser.add_argument(f"--{name}", type=int, default=getattr(defaults, name))
        parser.add_argument(
            "--small", action="store_true", help="2 региона, 10 муниципалитетов, 40 школ, 1000 педагогов"
        )
        parser.add_argument("--date", type=datetime.date.fromisoformat, default=None, help="«сегодня», ГГГГ-ММ-ДД")

    def handle(self, *args, **opts):
        size = Size(
            **{
                k: opts[k]
                for k in ("regions", "municipalities", "schools", "teachers", "rmos", "events", "seed", "first")
            }
        )
        if opts["small"]:
            size.regions, size.municipalities, size.schools, size.teachers = 2, 10, 40, 1000
        today = opts["date"] or timezone.localdate()
        started = time.monotonic()
        try:
            counts = Generator(size, today, log=lambda line: self.stdout.write(line)).run()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.monotonic() - started
        summary = ", ".join(f"{k}: {v}" for k, v in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Готово за {seconds:.0f} с — {summary}"))
