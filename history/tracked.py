"""What the change tracker records, in one place: the models, their fields and whose history shows them.

Read by HistoryConfig.ready(). `parent`: the record whose «История» also lists this one's changes (an
agenda item in its meeting's). `person`: whose personal data the `personal` fields are. Who may read a
history: the model's own `restrict` where it has one, else the `visible` given here. Workflow
states (status, state, confirmations, signatures) are left to the workflow engine, which writes one
TRANSITION entry per move into the same table — recorded once, not twice.
"""

from django.apps import apps

from .tracker import track, viewable


def _can_view_unit(unit_attr):
    def visible(user, obj):
        from orgunits.access import access_for

        unit = getattr(obj, unit_attr)
        return unit is not None and access_for(user).can("view", unit)

    return visible


def register_all() -> None:
    model = apps.get_model

    # Network: units, schools, region settings. Grants are not tracked here: orgunits.grant_log writes
    # each grant and revocation once, as an entry about the unit, when the role groups change.
    track(model("orgunits", "OrgUnit"))
    track(model("orgunits", "School"))
    track(
        model("orgunits", "Region"),
        fields=["name", "timezone"],
        visible=lambda user, region: bool(getattr(user, "is_superuser", False)),
    )

    # People: the card (personal fields shown only to who may see the person) and memberships,
    # which are the unit's roster: a member's name is shown only to who may see that person.
    track(
        model("people", "Person"),
        personal=["email", "phone", "qualification_category", "teaching_since", "user"],
        person=lambda p: p.pk,
        many=["subjects"],
    )
    track(
        model("people", "Membership"),
        parent=lambda m: m.unit,
        person=lambda m: m.person_id,
        personal=["person"],
    )

    # Plans and reports: the content rows, shown in their submission's history (the engine writes
    # the submission's moves).
    submission = model("submissions", "Submission")
    viewable(submission)
    track(model("plans", "PlanItem"), exclude=["submission"], parent=lambda i: i.submission)
    track(model("reports", "ReportSection"), fields=["text"], parent=lambda s: s.submission)
    track(model("reports", "ReportFigure"), fields=["computed", "value"], parent=lambda f: f.submission)
    track(model("programs", "Program"))  # its state: the engine's (left out while a machine moves it)
    track(model("programs", "RoadmapItem"), exclude=["program"], parent=lambda i: i.program)

    # Meetings and orders, with their parts.
    track(
        model("meetings", "Meeting"),
        exclude=[
            "status",
            "chair_confirmed_at",
            "chair_confirmed_by",
            "secretary_confirmed_at",
            "secretary_confirmed_by",
        ],
    )
    track(model("meetings", "AgendaItem"), exclude=["meeting"], parent=lambda i: i.meeting)
    track(model("orders", "Order"), exclude=["status", "signed_at", "signed_by", "submission"])
    # An order's points are replaced as a whole (bulk_create, no signal): orders.services records
    # them as one field of the order, «пункты приказа»: old list → new list.

    # Events, and a teacher's growth: courses and routes belong to the person's history.
    track(model("events", "Event"))
    person_pk = lambda obj: obj.person_id  # noqa: E731 - a one-line rule, named for reading
    track(model("growth", "Course"), exclude=["person"], parent=lambda c: c.person, person=person_pk)
    track(model("growth", "Route"), exclude=["person"], parent=lambda r: r.person, person=person_pk)

    # Monitoring: the values entered by hand (computed ones are written in bulk by the computation).
    viewable(model("monitoring", "Row"), visible=_can_view_unit("guard"))
    track(
        model("monitoring", "Result"),
        fields=["numerator", "denominator", "score", "note", "evidence_text", "evidence_url", "evidence_name"],
        parent=lambda r: r.row,
        visible=lambda user, r: _can_view_unit("guard")(user, r.row),
    )
