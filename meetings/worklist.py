"""«Мои задачи»: protocols waiting for the user's confirmation as their chair or secretary.

The rule is the machine's (meetings/machines.py): the move «confirm» is allowed to who may «file» at the
unit (may_file) and applies to a signer (chair or secretary of the meeting) whose confirmation is missing,
once the meeting has taken place.
"""

from __future__ import annotations

from django.db.models import Q

from worklist.registry import Task, limited, provider

from .models import Meeting

GROUP = "Подтвердить протоколы"


@provider
def protocols_to_confirm(user, access, today):
    mine = Q(chair__user=user, chair_confirmed_at__isnull=True) | Q(
        secretary__user=user, secretary_confirmed_at__isnull=True
    )
    # restrict("file") is the machine's may_file; the Q is confirmable's «a signer still to confirm».
    meetings = (
        Meeting.objects.restrict(user, "file")
        .filter(mine, status=Meeting.Status.DRAFT, date__lte=today)
        .select_related("unit", "chair", "secretary")
        .order_by("date", "pk")
    )

    def task(meeting):
        other = meeting.secretary_confirmed_at if meeting.chair.user_id == user.pk else meeting.chair_confirmed_at
        return Task(
            group=GROUP,
            title=str(meeting),
            url=meeting.get_absolute_url(),
            order=30,
            decision=True,
            unit=str(meeting.unit),
            since=meeting.date,
            note="второй подписант уже подтвердил" if other else "",
            kind="Протокол",
            action_label="Подтвердить",
        )

    return limited(meetings, task)
