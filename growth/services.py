import datetime

from django.conf import settings

from .models import Course


def is_young_specialist(person, today: datetime.date) -> bool:
    """Fewer than settings.YOUNG_SPECIALIST_YEARS full calendar years since teaching began."""
    if person.teaching_since is None:
        return False
    return today.year - person.teaching_since < settings.YOUNG_SPECIALIST_YEARS


def years_before(today: datetime.date, years: int) -> datetime.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def courses_in_last_years(person, today: datetime.date, years: int = 3):
    """Courses finished within the last `years` years (up to today)."""
    return Course.objects.filter(person=person, ends_on__gte=years_before(today, years), ends_on__lte=today)
