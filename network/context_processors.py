"""What every page's frame needs: the portal's name, the bell, and the menu of this user's role (issue 12).

The menu is convenience only: every page checks the user's rights on the server whatever the menu shows.
It is derived from the user's grants (orgunits.access): a teacher — a plain member with no other grant —
sees their own pages (portfolio, surveys, developments, the bank of practices), not empty registers and
inboxes; those who file, review or administer see the pages they can use. Loading the grants costs two
queries, so the menu's facts are kept in the session: computed at login, refreshed for free whenever a page
has loaded the grants anyway (as orgunits.context_processors.region_admin does for its link).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

SESSION_KEY = "network.menu"
MENU_VERSION = 2
# «Входящие» of decisions and signatures; one place to change when the one inbox (worklist) arrives.
INBOX_URL = "worklist:inbox"


@dataclass(frozen=True)
class Item:
    label: str
    url: str
    key: str  # for the tests and the current page mark


def _facts(access) -> dict:
    """What the menu depends on, as plain data for the session."""
    perms = set(access.grants)
    return {
        "v": MENU_VERSION,
        "superuser": access.superuser,
        # Any grant beyond a plain member's «view_orgunit»: files, keeps, reviews, administers something.
        "staff": access.superuser or bool(perms - {"view_orgunit"}),
        "review": access.superuser or "review_subtree" in perms,
        "file": access.superuser or "file_documents" in perms,
        "administers": access.administers_anything,
    }


def _remember(request, user) -> dict:
    from orgunits.access import access_for

    facts = _facts(access_for(user))
    if hasattr(request, "session"):
        request.session[SESSION_KEY] = facts
    return facts


@receiver(user_logged_in, dispatch_uid="network.remember_menu")
def remember_menu(sender, request, user, **kwargs):
    if request is not None:
        _remember(request, user)


def menu_facts(request, user) -> dict:
    session = getattr(request, "session", None)
    stored = session.get(SESSION_KEY) if session is not None else None
    if stored is None or stored.get("v") != MENU_VERSION:
        return _remember(request, user)
    if getattr(user, "_metodset_access", None) is not None:  # the view has loaded the grants: use them
        fresh = _facts(user._metodset_access)
        if fresh != stored:
            session[SESSION_KEY] = fresh
        return fresh
    return stored


def menu_for(facts: dict) -> tuple[list[Item], list[Item]]:
    """(the items always in the bar, the items under «Ещё»)."""

    def item(label, name, key, *args):
        return Item(label, reverse(name, args=args), key)

    # «Моё портфолио» leads to the portfolio of the user's own card (growth:my_portfolio redirects).
    own = [] if facts.get("superuser") else [item("Моё портфолио", "growth:my_portfolio", "portfolio")]
    own += [
        item("Анкеты", "growth:my_surveys", "surveys"),
        item("Мои разработки", "practices:mine", "mine"),
    ]
    bank = item("Банк практик", "practices:bank", "bank")
    home = item("Главная", "home", "home")
    if not facts.get("staff"):
        return [home, *own, bank, item("Мероприятия", "events:list", "events")], []
    bar = [
        home,
        item("Сеть", "orgunits:tree", "tree"),
        item("Педагоги", "people:list", "people"),
        item("Кампании", "submissions:campaigns", "campaigns"),
    ]
    if facts.get("review"):
        bar.append(item("Входящие", INBOX_URL, "inbox"))
    bar += [
        item("Приказы", "orders:register", "orders"),
        item("Мероприятия", "events:list", "events"),
        item("Мониторинг", "monitoring:campaigns", "monitoring"),
        bank,
    ]
    if facts.get("review"):
        bar.append(item("Экспертиза", "practices:inbox", "expertise"))
    more = [item("Реестры", "registers:list", "registers"), item("Школы", "orgunits:schools", "schools"), *own]
    return bar, more


def portal(request):
    context = {"PORTAL_NAME": "Методсеть", "DEMO_ENABLED": settings.DEMO_ENABLED}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from .notify import unread_count

        # One COUNT, and only when a template shows the bell.
        context["unread_notifications"] = SimpleLazyObject(lambda: unread_count(user))

        def menu():
            bar, more = menu_for(menu_facts(request, user))
            return {"bar": bar, "more": more}

        context["menu"] = SimpleLazyObject(menu)
    return context
