"""The roadmaps' step of the daily sweep: overdue roadmap items reported once (programs.sweep)."""

from network import periodic

from .sweep import check_overdue_roadmaps

periodic.register("programs.roadmaps", check_overdue_roadmaps, order=30)
