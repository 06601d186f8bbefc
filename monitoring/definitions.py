"""Indicator set definitions shipped with the portal: the Ivolginsky table of seed 002.

`install(region, IVOLGINSKY)` creates (or brings up to date) the set for any region; the
`install_indicator_set --region CODE` command and the demo both call it.
"""

from decimal import Decimal

from django.db import transaction

from orgunits.models import UnitKind

from .models import Assessed, Indicator, IndicatorSet, Method, Scoring

PERCENT_CRITERIA = "2 — 70–100 %, 1 — 40–69 %, 0 — менее 40 %"
MO_KIND_CODES = ["rmo", "gmo", "shmo"]


def _events(code, level, fmt, level_text, fmt_text, short, hint):
    return {
        "code": code,
        "name": f"{level_text}. Участие в сетевых сообществах (педагог выступает на мероприятии или сам проводит), "
        f"в режиме {fmt_text}",
        "short_name": short,
        "rule": "events",
        "params": {"level": level, "format": fmt},
        "criteria": PERCENT_CRITERIA,
        "hint": hint,
    }


IVOLGINSKY = {
    "name": "Показатели эффективности МС НМС (Иволгинский район)",
    "basis": "«Дорожная карта» и показатели эффективности муниципальной системы научно-методического "
    "сопровождения педагогических работников и управленческих кадров, утверждённые МКУ «Иволгинское РУО» "
    "№ 392 от 06.04.2023 (практика Иволгинского района Республики Бурятия).",
    "mo_kinds": MO_KIND_CODES,
    "indicators": [
        {
            "code": "routes",
            "name": "Разработаны индивидуальные образовательные маршруты и осуществляется адресная поддержка "
            "педагогов. Доля педагогических работников, для которых в РМО разработаны индивидуальные "
            "образовательные маршруты",
            "short_name": "ИОМ",
            "rule": "routes",
            "criteria": "2 — полностью разработаны, 1 — частично, 0 — не разработаны",
            "hint": "Разработать индивидуальные образовательные маршруты педагогам, у которых их нет, по итогам "
            "диагностики профессиональных дефицитов; закрепить за каждым маршрутом сопровождающего в МО.",
        },
        {
            "code": "mentoring",
            "name": "Реализуется целевая модель наставничества педагогов и профориентации. Доля молодых "
            "педагогов, охваченных методической поддержкой",
            "short_name": "Наставничество",
            "rule": "young_mentoring",
            "criteria": "2 — полностью, 1 — частично, 0 — не реализует",
            "hint": "Закрепить наставников за всеми молодыми специалистами (приказ о наставнических парах), "
            "включить их в профессиональное сообщество молодых педагогов.",
        },
        {
            "code": "timeliness",
            "name": "Своевременность выполнения руководителем плана и приказов управления образованием: "
            "планы работы и отчёты представлены в срок",
            "short_name": "Своевременность",
            "rule": "timeliness",
            "criteria": "2 — выполняются своевременно, 1 — выполняются, 0 — не выполняются",
            "hint": "Представлять план работы и годовой отчёт к сроку: назначить ответственного, "
            "включить сроки в план заседаний МО.",
        },
        {
            "code": "courses",
            "name": "Педагогические работники в РМО, прошедшие КПК за последние 3 года",
            "short_name": "КПК за 3 года",
            "rule": "courses",
            "params": {"years": 3},
            "criteria": "2 — полностью, 1 — проходят не все, 0 — своевременно не проходят",
            "hint": "Включить педагогов без КПК за последние 3 года в план-график повышения квалификации "
            "на следующий год (ЦНППМ, БРИОП).",
        },
        _events(
            "municipal_online",
            "municipal",
            "remote",
            "Мероприятия для педагогов муниципального уровня",
            "онлайн",
            "Муниц., онлайн",
            "Провести на базе МО вебинары, где выступают педагоги МО; вести онлайн-сообщество МО.",
        ),
        _events(
            "municipal_offline",
            "municipal",
            "in_person",
            "Мероприятия для педагогов муниципального уровня",
            "офлайн",
            "Муниц., офлайн",
            "Запланировать открытые уроки и мастер-классы педагогов МО на районных семинарах.",
        ),
        _events(
            "regional_online",
            "regional",
            "remote",
            "Региональные мероприятия для педагогов, в которых РМО приняло участие",
            "онлайн",
            "Регион., онлайн",
            "Подать заявки педагогов МО на выступления в региональных вебинарах и онлайн-конференциях.",
        ),
        _events(
            "regional_offline",
            "regional",
            "in_person",
            "Региональные мероприятия для педагогов, в которых РМО приняло участие",
            "офлайн",
            "Регион., офлайн",
            "Направить педагогов МО с докладами на региональные семинары и конференции.",
        ),
        _events(
            "federal_online",
            "federal",
            "remote",
            "Федеральные мероприятия для педагогов, в которых РМО приняло участие",
            "онлайн",
            "Федер., онлайн",
            "Поддержать участие педагогов МО во всероссийских онлайн-конференциях и сетевых сообществах.",
        ),
        _events(
            "federal_offline",
            "federal",
            "in_person",
            "Федеральные мероприятия для педагогов, в которых РМО приняло участие",
            "офлайн",
            "Федер., офлайн",
            "Выдвинуть опытных педагогов МО на всероссийские форумы и конференции.",
        ),
        {
            "code": "places",
            "name": "Результаты участия педагогов в мероприятиях (конкурсах профессионального мастерства)",
            "short_name": "Результаты участия",
            "rule": "places",
            "scoring": Scoring.PLACES,
            "criteria": "2 — 1–3 места, 1 — участие",
            "hint": "Сопровождать педагогов МО при подготовке к конкурсам «Учитель года», «Методист года», "
            "«Педагогический дебют».",
        },
    ],
}

# KBR uses the same table plus one value entered by hand with evidence (outside the 002 set).
KBR = {
    **IVOLGINSKY,
    "name": "Показатели эффективности МунУМО и РМО (КБР)",
    "basis": "Положение о муниципальном УМО (КБР), раздел 5: показатели эффективности; таблица показателей — "
    "по практике Иволгинского района Республики Бурятия.",
    "indicators": [
        *IVOLGINSKY["indicators"],
        {
            "code": "competence_assessment",
            "name": "Доля педагогов МО, прошедших оценку предметных и методических компетенций",
            "short_name": "Оценка компетенций",
            "method": Method.MANUAL,
            "rule": "",
            "criteria": PERCENT_CRITERIA,
            "hint": "Направить педагогов МО на оценку предметных и методических компетенций (ЦНППМ).",
        },
    ],
}


@transaction.atomic
def install(region, definition: dict = IVOLGINSKY, default: bool = True) -> IndicatorSet:
    """Create or update the region's set from `definition` (idempotent; thresholds edited later stay)."""
    indicator_set, _ = IndicatorSet.objects.get_or_create(
        region=region, name=definition["name"], defaults={"basis": definition["basis"]}
    )
    indicator_set.basis = definition["basis"]
    if default:
        IndicatorSet.objects.filter(region=region, is_default=True).exclude(pk=indicator_set.pk).update(
            is_default=False
        )
        indicator_set.is_default = True
    indicator_set.save()
    indicator_set.mo_kinds.set(UnitKind.objects.filter(code__in=definition["mo_kinds"]))
    for position, item in enumerate(definition["indicators"], start=1):
        indicator = Indicator.objects.filter(indicator_set=indicator_set, code=item["code"]).first() or Indicator(
            indicator_set=indicator_set, code=item["code"], high=Decimal(70), mid=Decimal(40)
        )
        indicator.position = position
        indicator.name = item["name"]
        indicator.short_name = item["short_name"]
        indicator.assessed = item.get("assessed", Assessed.MO)
        indicator.method = item.get("method", Method.COMPUTED)
        indicator.rule = item.get("rule", "")
        indicator.params = item.get("params", {})
        indicator.scoring = item.get("scoring", Scoring.PERCENT)
        indicator.criteria = item.get("criteria", "")
        indicator.hint = item.get("hint", "")
        indicator.full_clean()
        indicator.save()
    return indicator_set
