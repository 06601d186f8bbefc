"""The meetings' step of the daily sweep: units without a meeting, terms that end (meetings.governance)."""

from network import periodic

from .governance import run_governance_checks

periodic.register("meetings.governance", run_governance_checks, order=20)
