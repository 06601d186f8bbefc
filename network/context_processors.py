from django.conf import settings


def portal(request):
    return {"PORTAL_NAME": "Методсеть", "DEMO_ENABLED": settings.DEMO_ENABLED}
