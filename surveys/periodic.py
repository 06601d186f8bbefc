"""The needs surveys' step of the daily sweep: surveys whose period ended are closed (surveys.services)."""

from network import periodic

from .services import close_expired_surveys

periodic.register("surveys.close_expired", close_expired_surveys, order=40)
