from django.conf import settings
from django.utils.functional import SimpleLazyObject


def portal(request):
    context = {"PORTAL_NAME": "Методсеть", "DEMO_ENABLED": settings.DEMO_ENABLED}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from .notify import unread_count

        # One COUNT, and only when a template shows the bell.
        context["unread_notifications"] = SimpleLazyObject(lambda: unread_count(user))
    return context
