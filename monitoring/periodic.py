"""The monitoring coverage step of the daily sweep (001 §5.2 «Мониторинг проводится не реже одного раза в
год»): a region's administrators and its РУМО are told, once per region and year, which units no campaign
covered in the year just ended."""

from network import periodic

from .sweep import check_coverage

periodic.register("monitoring.coverage", check_coverage, order=50)
