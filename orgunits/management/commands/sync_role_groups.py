from django.core.management.base import BaseCommand

from orgunits.access import sync_role_group_permissions


class Command(BaseCommand):
    help = "Привести права групп «роль в подразделении» к текущим определениям ролей (после обновления)."

    def handle(self, *args, **options):
        changed, total = sync_role_group_permissions()
        self.stdout.write(f"Групп ролей: {total}, исправлено: {changed}.")
