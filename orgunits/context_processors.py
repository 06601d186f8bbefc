from django.utils.functional import SimpleLazyObject


def region_admin(request):
    """`administers_region`: the menu shows «Администрирование» to regional administrators.

    Lazy: the grants are loaded (or reused from the view, they are cached per request) only when
    a template asks, and the menu asks only for users who are not superusers.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .access import access_for

    return {"administers_region": SimpleLazyObject(lambda: bool(access_for(user).regions("manage")))}
