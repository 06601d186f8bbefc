"""Writing history: the one function every entry goes through."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from .context import current
from .models import LogEntry


def record(obj, action: str, *, changes=None, at=None, actor=None, **fields) -> LogEntry:
    """Append one entry about `obj`, attributed to the current actor (history.context) unless given."""
    who = current()
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=obj.pk,
        object_repr=str(obj)[:300],
        action=action,
        at=at or timezone.now(),
        actor=actor if actor is not None else who.user,
        via=fields.pop("via", None) or who.via,
        request_id=who.request_id,
        detail=(fields.pop("detail", None) or who.detail)[:300],
        changes=changes or {},
        **fields,
    )


def entries_for(obj):
    """The object's history, newest first: its own entries and those of its parts (history.tracker `parent`)."""
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    return LogEntry.objects.filter(
        Q(content_type=ct, object_id=obj.pk) | Q(owner_type=ct, owner_id=obj.pk)
    ).select_related("actor")
