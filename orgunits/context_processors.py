from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils.functional import SimpleLazyObject

from .access import access_for

# The menu's «Администрирование» link is shown to regional administrators. Loading a user's grants
# costs two queries, and many pages never need them, so the answer is kept in the session: computed
# at login, refreshed for free whenever a page has loaded the grants anyway. A stale link is
# harmless: the pages behind it check the grants themselves.
SESSION_KEY = "orgunits.administers_region"


def _administers_region(user) -> bool:
    return bool(access_for(user).regions("manage"))


@receiver(user_logged_in, dispatch_uid="orgunits.remember_region_admin")
def remember_region_admin(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = _administers_region(user)


def region_admin(request):
    """`administers_region` for the menu; no query on a page that does not otherwise need the grants."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_superuser:
        return {}
    session = getattr(request, "session", None)
    if getattr(user, "_metodset_access", None) is not None:  # the view has loaded the grants: use them
        value = _administers_region(user)
        if session is not None and session.get(SESSION_KEY) != value:
            session[SESSION_KEY] = value
        return {"administers_region": value}
    if session is not None and SESSION_KEY in session:
        return {"administers_region": session[SESSION_KEY]}
    return {"administers_region": SimpleLazyObject(lambda: _administers_region(user))}
