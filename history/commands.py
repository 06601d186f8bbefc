"""A management command that changes data says so in the history: «команда <name>»."""

from django.core.management.base import BaseCommand

from .context import Via, acting


class TrackedCommand(BaseCommand):
    def execute(self, *args, **options):
        name = type(self).__module__.rsplit(".", 1)[-1]
        with acting(via=Via.COMMAND, detail=f"команда {name}"):
            return super().execute(*args, **options)
