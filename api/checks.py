from django.conf import settings
from django.core.checks import Info, Tags, register


@register(Tags.security, deploy=True)
def api_rate_limit_cache(app_configs, **kwargs):
    """With several web processes the API's rate limit counts in one place only with API_CACHE_URL. Said, not
    enforced (Info): one process, or a limit per process, is a working setup."""
    if getattr(settings, "API_CACHE_URL", ""):
        return []
    return [
        Info(
            "Лимит обращений к API считается в памяти каждого процесса: задайте API_CACHE_URL (Redis), "
            "чтобы все узлы считали вместе.",
            hint="API_CACHE_URL=redis://redis:6379/2",
            id="api.I001",
        )
    ]
