"""The rate limit per user (settings REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api_user"], env API_RATE)."""

from django.core.cache import caches
from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle


class ApiUserThrottle(UserRateThrottle):
    scope = "api_user"

    @property
    def cache(self):
        # The «api» cache (settings.API_CACHE_URL): shared by every web node when it is Redis.
        return caches["api"]

    def get_rate(self):
        # Read when the request comes (DRF copies the rates into the class once, at import).
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
