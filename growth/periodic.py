"""The needs surveys' step of the daily sweep: surveys whose period ended are closed (growth.services)."""

from network import periodic

from .services import close_expired_surveys

periodic.register("growth.surveys", close_expired_surveys, order=40)
