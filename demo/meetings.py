"""Demo meetings for `make run`: the Terek МунУМО has two confirmed quarterly meetings of the
current membership term, with attendance, agenda and votes, and one draft the secretary can finish.

Built on the demo network of orgunits/demo.py through the same services as the pages. The
generated chair of the Terek МунУМО gets the demo login «chair» (password of the demo), so
that both signatures of a protocol can be tried in the portal.
"""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from meetings import services
from meetings.models import Meeting
from orgunits.models import OrgUnit
from people.models import MembershipRole
from people.services import link_user

CHAIR_USERNAME = "chair"

AGENDA = [
    [
        (
            "Об утверждении плана работы МунУМО на учебный год",
            "Председатель МунУМО",
            "Информацию о проекте плана работы на учебный год, согласованного с РУМО.",
            "Руководители РМО предложили включить семинар по функциональной грамотности.",
            "1. Утвердить план работы МунУМО с учётом предложений.\n"
            "2. Руководителям РМО представить планы до 30 сентября.",
        ),
        (
            "О мониторинге профессиональных дефицитов педагогов",
            "Методист МунУМО",
            "Информацию о сроках и порядке мониторинга профессиональных дефицитов.",
            "",
            "Провести мониторинг в октябре; итоги рассмотреть на следующем заседании.",
        ),
    ],
    [
        (
            "Об итогах мониторинга профессиональных дефицитов",
            "Методист МунУМО",
            "Аналитическую справку по итогам мониторинга: основные дефициты — функциональная грамотность и "
            "работа с детьми с ОВЗ.",
            "Выступившие предложили адресные консультации для молодых педагогов.",
            "1. Принять аналитическую справку к сведению.\n2. Включить адресные рекомендации в планы РМО.",
        ),
        (
            "О наставничестве молодых педагогов",
            "Руководитель РМО учителей математики",
            "Опыт работы наставников в школах района.",
            "",
            "Закрепить наставников за молодыми педагогами первого года работы.",
        ),
    ],
    [
        (
            "О подготовке к муниципальному этапу конкурса «Педагогический дебют»",
            "Ответственный секретарь МунУМО",
            "Информацию о сроках и составе жюри конкурса.",
            "",
            "Утвердить состав жюри; провести конкурс в марте.",
        ),
    ],
]


def _demo_dates(term_start: datetime.date, today: datetime.date) -> list[datetime.date]:
    """A meeting of the previous quarter, one of this quarter two weeks ago, and today's draft."""
    recent = max(term_start, today - datetime.timedelta(days=14))
    quarter_start = datetime.date(recent.year, 3 * ((recent.month - 1) // 3) + 1, 1)
    last_month = quarter_start - datetime.timedelta(days=1)
    earlier = last_month.replace(day=20)
    if earlier < term_start:  # the term began this quarter: halfway between its start and the recent one
        earlier = term_start + (recent - term_start) / 2
    return [earlier, recent, today]


def _chair_login(unit, day):
    chair, secretary = services.default_officers(unit, day)
    if chair is not None and chair.user_id is None:
        User = get_user_model()
        from demo.orgunits import DEMO_PASSWORD

        user = User.objects.filter(username=CHAIR_USERNAME).first() or User.objects.create_user(
            CHAIR_USERNAME,
            f"{CHAIR_USERNAME}@metodset.local",
            DEMO_PASSWORD,
            first_name=chair.first_name,
            last_name=chair.last_name,
        )
        link_user(chair, user)
        chair.refresh_from_db()
    return chair, secretary


def load_demo_meetings(today: datetime.date) -> list[Meeting]:
    unit = OrgUnit.objects.get(region__code="kbr", kind__code="munumo", name__contains="Терск")
    if Meeting.objects.filter(unit=unit).exists():
        return []
    chair, secretary = _chair_login(unit, today)
    term_start = (
        unit.memberships.active().filter(role=MembershipRole.SECRETARY).values_list("starts_on", flat=True).first()
        or today
    )
    created = []
    for n, (day, agenda) in enumerate(zip(_demo_dates(term_start, today), AGENDA, strict=True)):
        meeting = services.create_meeting(
            unit=unit,
            by=secretary.user,
            date=day,
            time=datetime.time(15, 0),
            kind=Meeting.Kind.IN_PERSON if n != 1 else Meeting.Kind.REMOTE,
            place="г. Терек, ул. Ленина, 15, управление образования, актовый зал" if n != 1 else "",
            online_link="https://sferum.ru/?call_link=demo-terek" if n == 1 else "",
            title="заседания Терского муниципального учебно-методического объединения",
            guests="Кумыкова Асият Хасанбиевна, специалист управления образования" if n == 0 else "",
        )
        members = list(meeting.attendance.values_list("person_id", flat=True))
        # Everyone but one or two: a quorum, and a believable one.
        present = members[: max(len(members) // 2 + 1, len(members) - 1 - n % 2)]
        services.set_attendance(meeting, secretary.user, meeting.version, present)
        for title, speaker, heard, discussion, decision in agenda:
            against = 1 if len(present) > 4 and "конкурс" not in title else 0
            services.add_item(
                meeting,
                secretary.user,
                meeting.version,
                title=title,
                speaker=speaker,
                heard=heard,
                discussion=discussion,
                decision=decision,
                votes_for=len(present) - against - 1 if len(present) > 3 else len(present),
                votes_against=against,
                votes_abstained=1 if len(present) > 3 else 0,
            )
        if day < today:  # the past meetings are confirmed by both; today's stays a draft
            signed_on = min(day + datetime.timedelta(days=2), today)
            moment = timezone.make_aware(datetime.datetime.combine(signed_on, datetime.time(10)))
            services.confirm(meeting, chair.user, meeting.version, moment)
            services.confirm(meeting, secretary.user, meeting.version, moment)
        created.append(meeting)
    return created
