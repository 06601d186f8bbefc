"""The one scoring function of the monitoring (002: 2 — 70–100 %, 1 — 40–69 %, 0 — below 40 %).

Values are never rounded before scoring: the comparison is exact (`>= high` → 2, `>= mid` → 1,
else 0), so 69.5 % scores 1 and 39.9 % scores 0. No teachers (no denominator) → no score
(«н/д»): the cell is shown and left out of the total.
"""

from decimal import Decimal

from .models import Scoring

BOUNDARY_NOTE = (
    "Доля не округляется перед оценкой: 69,5 % меньше 70 % — это 1 балл, 39,9 % меньше 40 % — 0 баллов. "
    "«н/д» — нет данных (нет педагогов, молодых специалистов или документов): такая клетка не оценивается "
    "и не входит в сумму баллов."
)


def percent_of(numerator: int, denominator: int) -> Decimal | None:
    """The share in percent, truncated (never rounded up) to 3 decimals; None without a denominator.

    Truncation keeps every comparison with a threshold of up to 3 decimals exactly as it is for
    the true fraction: 69.9996 % is stored as 69.999 and still scores below 70.
    """
    if not denominator:
        return None
    return Decimal(numerator * 100_000 // denominator) / Decimal(1000)


def score_percent(percent: Decimal | None, high: Decimal, mid: Decimal) -> int | None:
    if percent is None:
        return None
    if percent >= high:
        return 2
    if percent >= mid:
        return 1
    return 0


def score_places(places: int, participants: int, denominator: int) -> int | None:
    """002: 2 — a 1st–3rd place, 1 — took part, 0 — no participation."""
    if not denominator:
        return None
    if places:
        return 2
    if participants:
        return 1
    return 0


def score(indicator, numerator: int, denominator: int, participants: int = 0) -> tuple[Decimal | None, int | None]:
    """(percent, score) of a value of `indicator`."""
    percent = percent_of(numerator, denominator)
    if indicator.scoring == Scoring.PLACES:
        return percent, score_places(numerator, participants, denominator)
    return percent, score_percent(percent, indicator.high, indicator.mid)


def format_percent(value) -> str:
    """69.999 → «69,9 %»: truncated to one decimal, so the shown value never crosses a threshold."""
    if value is None:
        return "—"
    tenths = int(Decimal(value) * 10)
    whole, frac = divmod(tenths, 10)
    return f"{whole} %" if frac == 0 else f"{whole},{frac} %"
