"""Who decides on a document: the unit its route names (000 б, в: «Согласование планов работы МунМО с РУМО»,
«Согласование отчётов … МунМО с РУМО»; the МунУМО «курируют работу муниципальных предметных методических
объединений» and agree their plans and reports when the region's kinds say so).

A submission is agreed at `Submission.approver`, set by the route of its kind when it is sent
(workflow.kinds `kind(document_type).approver(unit)`). The right to review is granted as `review_subtree`,
so a reviewer of a unit above the approver could act on everything below; the regulations give the decision
to the addressee only. Here is the one rule, read by the machine (submissions/machines.py), the document
page, the reviewer's inbox and «Мои задачи» (through `Submission.objects.restrict(user, "review")`):

- a user who reviews AT the approver itself (a grant or a membership role on exactly that unit) decides;
- a user whose review right reaches the approver from a unit above sees the document but decides only if
  the approver's region allows escalation (`Region.allow_escalation`); the move then says in the history
  that it was made above the route and the approver's own reviewers are told.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from orgunits.access import ACTIONS, access_for

# The moves that are decisions of the approver (submit is the filer's).
DECISIONS = ("approve", "return", "reopen")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    # The user decides from a unit above the approver (the region allows escalation).
    above_route: bool = False
    # Why a user who sees the document from above may not decide (empty for anyone else).
    refusal: str = ""

    def __bool__(self) -> bool:
        return self.allowed


def _review_spans(access):
    local, subtree = ACTIONS["review"]
    return [span for perm in sorted(local | subtree) for span in access.grants.get(perm, ())]


def reviews_at_ids(access) -> set[int]:
    """The units at which the user reviews themselves (not by inheritance from above)."""
    return {span.unit_id for span in _review_spans(access)}


def reviews_at(access, unit) -> bool:
    return access.superuser or unit.pk in reviews_at_ids(access)


def above_route_refusal(approver) -> str:
    return f"Согласует {approver.name}. Вышестоящие подразделения решений по нему не принимают (настройка региона)."


def may_decide(user, submission) -> Decision:
    """May `user` approve, return or reopen `submission` — and is it a decision above its route?

    No queries for the routed approver's own reviewers; one (the approver's region) for a reviewer above."""
    approver = submission.approver
    if approver is None or user is None or not getattr(user, "is_authenticated", False):
        return Decision(False)
    access = access_for(user)
    if reviews_at(access, approver):
        return Decision(True)
    if not access.can("review", approver):
        return Decision(False)
    if approver.region.allow_escalation:
        return Decision(True, above_route=True)
    return Decision(False, refusal=above_route_refusal(approver))


def review_q(access, prefix: str = "") -> Q | None:
    """Filter of the submissions `access` decides on (see the module): routed to a unit the user reviews at,
    or — in a region that allows escalation — to any unit below one. None: nothing."""
    if access.superuser:
        return Q()
    at = reviews_at_ids(access)
    q = Q(**{f"{prefix}approver_id__in": sorted(at)}) if at else None
    above = access.q_for_units("review", prefix=f"{prefix}approver__")
    if above is not None:
        escalated = above & Q(**{f"{prefix}approver__region__allow_escalation": True})
        q = escalated if q is None else q | escalated
    return q


def reviewers_at(unit) -> list:
    """Active logins that review at exactly `unit` (a grant or a membership role there, not above)."""
    from django.contrib.auth import get_user_model
    from guardian.models import GroupObjectPermission, UserObjectPermission

    local, subtree = ACTIONS["review"]
    perms = sorted(local | subtree)
    where = {"object_pk": str(unit.pk), "permission__codename__in": perms, "content_type__app_label": "orgunits"}
    groups = GroupObjectPermission.objects.filter(**where).values("group_id")
    direct = UserObjectPermission.objects.filter(**where).values("user_id")
    User = get_user_model()
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(groups__in=groups) | Q(pk__in=direct))
        .distinct()
        .order_by("last_name", "username")
    )


def deciding_unit(user, approver):
    """The nearest unit above `approver` at which `user` reviews (who made an escalated decision)."""
    from orgunits.models import OrgUnit

    spans = [s for s in _review_spans(access_for(user)) if s.contains(approver) and s.unit_id != approver.pk]
    if not spans:
        return None
    nearest = max(spans, key=lambda s: s.lft)
    return OrgUnit.objects.filter(pk=nearest.unit_id).first()


ESCALATED = {
    "approve": "согласован вышестоящим подразделением",
    "return": "возвращён на доработку вышестоящим подразделением",
    "reopen": "открыт повторно вышестоящим подразделением",
}


def mark_above_route(step) -> None:
    """A move's hook: a decision made above the route says so in the history and tells the approver's
    reviewers. Nothing for the approver's own reviewers or the system (user None)."""
    submission = step.obj
    if step.user is None or step.move.name not in DECISIONS:
        return
    decision = may_decide(step.user, submission)
    if not decision.above_route:
        return
    approver = submission.approver
    by = deciding_unit(step.user, approver)
    marker = f"Решение принято выше адресата: {approver.name}."
    if by is not None:
        marker += f" Решение приняло вышестоящее подразделение: {by.name}."
    step.reason = f"{step.reason}\n{marker}" if step.reason else marker
    step.params["above_route"] = True
    recipients = [u for u in reviewers_at(approver) if u.pk != step.user.pk]
    if recipients:
        from network.notify import notify

        who = f" ({by.name})" if by is not None else ""
        notify(
            recipients,
            f"{ESCALATED[step.move.name].capitalize()}{who}: {submission}. "
            f"Согласующее подразделение по маршруту — {approver.name}.",
            submission.get_absolute_url(),
        )
