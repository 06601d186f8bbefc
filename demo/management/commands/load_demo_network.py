import datetime

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import timezone

from demo.orgunits import DEMO_PASSWORD, load_demo
from history.commands import TrackedCommand
from orgunits.models import OrgUnit, School
from people.models import Membership, Person


class Command(TrackedCommand):  # its changes are attributed to the command in the history
    help = "Загрузить демонстрационную сеть (КБР, Бурятия, Кузбасс, Ростовская область) и демо-логины."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="дата «сегодня» для сроков, ГГГГ-ММ-ДД")

    def handle(self, *args, **options):
        if not settings.DEMO_ENABLED:
            raise CommandError("Демо-данные не загружаются в рабочей (PRODUCTION) конфигурации.")
        today = datetime.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        if not load_demo(today):
            self.stdout.write("Демо-сеть уже загружена.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Демо-сеть загружена: {OrgUnit.objects.count()} подразделений, {School.objects.count()} школ, "
                f"{Person.objects.count()} педагогов, {Membership.objects.count()} записей о членстве. "
                "Логины root (суперпользователь, /admin/), admin, reviewer, reviewer_rb, methodist, secretary, "
                f"chair, teacher; пароль {DEMO_PASSWORD}."
            )
        )
