import datetime


def load_demo_programs(today: datetime.date) -> None:
    """Placeholder until this part of issue 5 lands."""
