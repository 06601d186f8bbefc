from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def api_rate_limit_cache(app_configs, **kwargs):
    """In production the API's rate limit must count in one place for every web node and worker process."""
    if getattr(settings, "API_CACHE_URL", ""):
        return []
    return [
        Warning(
            "Лимит обращений к API считается в памяти каждого процесса: задайте API_CACHE_URL (Redis), "
            "чтобы все узлы считали вместе.",
            hint="API_CACHE_URL=redis://redis:6379/2",
            id="api.W001",
        )
    ]
