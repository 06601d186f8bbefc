"""The campaigns' step of the daily sweep: reminders, late and missing flags (submissions.deadlines)."""

from network import periodic

from .deadlines import sweep_campaigns

periodic.register("submissions.campaigns", sweep_campaigns, order=10)
