"""Terms of office (Положение о МунУМО, 001 §2.7: «Срок полномочий председателя и членов МунУМО
составляет 1 год»): a longer term is refused unless the region's regulation allows it (a region
setting), and a membership past its end date stops counting on that date — ended by the sweep."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from meetings.services import member_people, members_on
from network.models import Notification
from orgunits.access import access_for
from orgunits.grant_log import GrantVia
from people import services, terms
from people.forms import AddMemberForm
from people.models import Membership
from people.terms import longest_term_end
from submissions import deadlines

from . import factories as f
from .background import eager_worker  # noqa: F401 (a fixture)
from .meetings_helpers import add_chair

pytestmark = pytest.mark.django_db
D = datetime.date


def sweep(day):
    """The sweep's step of terms for `day` (the step the daily sweep runs, test_the_step_is_registered)."""
    report = deadlines.SweepReport(day=day)
    terms.step(day, report)
    return report


def teacher(net, **kw):
    return f.PersonFactory(region=net.region, school=net.school, **kw)


# -- the longest term (001 §2.7) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("starts", "months", "last"),
    [
        (D(2026, 9, 1), 12, D(2027, 8, 31)),
        (D(2028, 2, 29), 12, D(2029, 2, 28)),
        (D(2027, 1, 31), 1, D(2027, 2, 28)),
        (D(2026, 9, 1), 24, D(2028, 8, 31)),
    ],
)
def test_longest_term_end(starts, months, last):
    """001 §2.7: one year from 01.09.2026 is the term up to 31.08.2027 inclusive."""
    assert longest_term_end(starts, months) == last


@pytest.mark.parametrize(
    ("months", "label"), [(12, "одного года"), (24, "2 лет"), (18, "18 месяцев"), (21, "21 месяца")]
)
def test_months_label_in_the_genitive(months, label):
    assert terms.months_label(months) == label


def test_a_term_longer_than_a_year_is_refused_by_the_service(net):
    """001 §2.7: a member is elected for one year; 01.09.2026–01.09.2027 is a year and a day."""
    with pytest.raises(ValidationError) as exc:
        services.add_member(
            unit=net.terek_rmo, person=teacher(net), role="member", starts_on=D(2026, 9, 1), ends_on=D(2027, 9, 1)
        )
    assert "один год (Положение, п. 2.7)" in str(exc.value) and "31.08.2027" in str(exc.value)
    assert not Membership.objects.filter(unit=net.terek_rmo, starts_on=D(2026, 9, 1), ends_on=D(2027, 9, 1)).exists()
    # Exactly a year is accepted.
    services.add_member(
        unit=net.terek_rmo, person=teacher(net), role="member", starts_on=D(2026, 9, 1), ends_on=D(2027, 8, 31)
    )


def test_a_region_allowing_longer_terms_accepts_them_and_says_so(net):
    """001 §2.7 with a region's own regulation: the longer term is the region's setting."""
    net.region.max_term_months = 24
    net.region.save()
    net.terek_rmo.region.refresh_from_db()
    membership = services.add_member(
        unit=net.terek_rmo, person=teacher(net), role="member", starts_on=D(2026, 9, 1), ends_on=D(2028, 8, 31)
    )
    assert membership.ends_on == D(2028, 8, 31)
    with pytest.raises(ValidationError) as exc:
        services.add_member(
            unit=net.terek_rmo, person=teacher(net), role="member", starts_on=D(2026, 9, 1), ends_on=D(2028, 9, 1)
        )
    assert "больше 2 лет (настройка региона)" in str(exc.value)
    help_text = AddMemberForm(unit=net.terek_rmo).fields["ends_on"].help_text
    assert "до 2 лет" in help_text and "настройка региона" in help_text


def test_the_add_member_page_says_the_limit_and_refuses_a_longer_term(net, login):
    """001 §2.7: the form's help text names the one-year limit; a longer term is an error of the field."""
    client = login(net.users.admin)
    url = reverse("people:member_add", args=[net.terek_rmo.pk])
    page = client.get(url).content.decode()
    assert "избирается на один год (Положение, п. 2.7)" in page
    person = teacher(net, last_name="Долгосрочная")
    response = client.post(
        url, {"person": person.pk, "role": "member", "starts_on": "01.09.2026", "ends_on": "31.12.2027"}
    )
    assert response.status_code == 200
    assert "срок заканчивается не позднее 31.08.2027" in response.content.decode()
    assert not Membership.objects.filter(person=person).exists()


def test_a_change_of_role_keeps_the_remaining_term(net):
    """001 §2.7: a new role inside the year does not extend the term."""
    person = teacher(net)
    old = f.member(person, net.terek_rmo, "member")
    new = services.change_role(old, "deputy", D(2027, 3, 1))
    assert (new.starts_on, new.ends_on) == (D(2027, 3, 1), old.ends_on)


def test_a_change_of_role_after_the_term_is_refused(net):
    """001 §2.7: after 31.08.2027 the term is over; a new term is a new election, not a role change."""
    old = f.member(teacher(net), net.terek_rmo, "member")
    with pytest.raises(ValidationError) as exc:
        services.change_role(old, "deputy", D(2027, 9, 15))
    assert "закончился 31.08.2027" in str(exc.value)


@pytest.mark.usefixtures("eager_worker")  # the import is checked and loaded by a worker (issue 14)
def test_the_import_of_memberships_refuses_a_longer_term(net, login):
    """001 §2.7 on the import path: a row with a term of two years is an error of the row."""
    from .test_registers import TEREK_PATH, upload, xlsx_bytes

    person = f.PersonFactory(region=net.region, email="long.term@example.ru")
    headers = ["E-mail педагога", "Подразделение (путь)", "Роль", "Срок с", "Срок по", "Выбыл"]
    row = ["long.term@example.ru", f"{TEREK_PATH} / РМО учителей математики Терского района", "член"]
    client = login(net.users.admin)
    response = upload(client, "memberships", xlsx_bytes([headers, [*row, "01.09.2026", "31.08.2028", ""]]), "m.xlsx")
    page = client.get(response.url).content.decode()
    assert "срок заканчивается не позднее 31.08.2027" in page
    client.post(response.url, {"action": "confirm"})
    assert not Membership.objects.filter(person=person).exists()


# -- an expired term stops counting (001 §2.7) --------------------------------------------------


@pytest.fixture
def expired(net):
    """A secretary of the РМО with a login whose term 01.09.2026–31.08.2027 runs out."""
    add_chair(net)
    chair_user = f.UserFactory(username="rmo_chair")
    chair = f.PersonFactory(region=net.region, user=chair_user)
    f.member(chair, net.terek_rmo, "chair", starts_on=D(2027, 1, 15))  # term to 14.01.2028
    services.sync_person_access(chair)
    net.users.rmo_chair = chair_user
    return net


def test_a_member_counts_on_the_last_day_of_the_term_and_not_after(expired):
    """001 §2.7: the term 01.09.2026–31.08.2027 counts on 31.08.2027 (the quorum base of a meeting
    that day), not on 01.09.2027, even before anybody ends it."""
    net = expired
    teacher_person = net.users.teacher_person
    assert teacher_person in member_people(net.terek_rmo, D(2027, 8, 31))
    assert teacher_person not in member_people(net.terek_rmo, D(2027, 9, 1))
    assert Membership.objects.filter(unit=net.terek_rmo).in_force_on(D(2027, 9, 1)).count() == 1  # the chair
    assert members_on(net.terek_rmo, D(2027, 9, 1)).get().role == "chair"


def test_the_sweep_ends_an_expired_term_through_the_end_service(expired):
    """001 §2.7: past its end date a membership stops counting — the sweep ends it (left_on is the
    first day out: ends_on + 1), the role's access goes, the grant log names the system."""
    from orgunits import grant_log

    net = expired
    teacher_user = net.users.teacher
    assert access_for(teacher_user).can("view", net.terek_rmo)
    sweep(D(2027, 8, 31))
    assert Membership.objects.get(person=net.users.teacher_person, unit=net.terek_rmo).left_on is None
    report = sweep(D(2027, 9, 1))
    membership = Membership.objects.get(person=net.users.teacher_person, unit=net.terek_rmo)
    assert membership.left_on == D(2027, 9, 1)
    assert report.terms_expired >= 1
    teacher_user.refresh_from_db()
    if hasattr(teacher_user, "_metodset_access"):
        del teacher_user._metodset_access
    assert not teacher_user.groups.filter(name__contains=f":{net.terek_rmo.pk}:").exists()
    entry = grant_log.for_user(teacher_user.pk).filter(object_id=net.terek_rmo.pk).first()
    assert entry.snapshot["grant"]["change"] == "revoked" and entry.actor_id is None
    assert entry.detail == GrantVia.LABELS[GrantVia.SYSTEM]


def test_the_chair_and_secretary_are_told_once(expired):
    """001 §2.7: the unit's chair (and secretary) learn the terms ended — once, not on every sweep."""
    net = expired
    sweep(D(2027, 9, 1))
    text = "«РМО учителей математики Терского района»: истёк срок полномочий"
    note = Notification.objects.get(user=net.users.rmo_chair, text__contains=text)
    assert net.users.teacher_person.short_name in note.text and "истёк 31.08.2027" in note.text
    assert note.needs_action
    # A plain member is not written to about others; a second sweep sends nothing.
    sweep(D(2027, 9, 2))
    assert Notification.objects.filter(text__contains=text).count() == 1


def test_the_step_keeps_to_its_region(expired):
    """The sweep runs per region: a step given another region leaves this one alone."""
    net = expired
    other = f.RegionFactory(code="other", name="Другой регион")
    report = deadlines.SweepReport(day=D(2027, 9, 1))
    terms.step(D(2027, 9, 1), report, region=other)
    assert Membership.objects.get(person=net.users.teacher_person, unit=net.terek_rmo).left_on is None
    terms.step(D(2027, 9, 1), report, region=net.region)
    assert Membership.objects.get(person=net.users.teacher_person, unit=net.terek_rmo).left_on == D(2027, 9, 1)


def test_the_step_is_registered():
    import people.periodic  # noqa: F401  (autodiscovered by the sweep)
    from network import periodic

    step = periodic._STEPS["people.terms"]
    assert step.func is terms.step and step.order < 20  # before the governance checks
