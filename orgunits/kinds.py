"""The unit kinds Методсеть ships: the standard chain of the design card and the regional variants of the seeds.

Unit kinds are reference data shared by all regions (DESIGN.md: "unit kinds are data"). A real region starts
with `manage.py install_unit_kinds` (the standard chain; `--all` adds the variants); the demo network installs
the whole catalogue through the same function, so the two never drift apart.
"""

from dataclasses import dataclass, field

from django.db import transaction

from .models import DocumentType, Level, UnitKind

PLAN, REPORT = DocumentType.PLAN.value, DocumentType.REPORT.value
CANDIDATE, DEVELOPMENT = DocumentType.CANDIDATE.value, DocumentType.DEVELOPMENT.value


def _kind(code, name, short_name, level, *, parents, requires_school=False, files=(), approves=()) -> dict:
    """One kind of the catalogue; most kinds belong to no school, and some file or approve nothing."""
    return {
        "code": code,
        "name": name,
        "short_name": short_name,
        "level": level.value,
        "parents": parents,
        "requires_school": requires_school,
        "files_documents": list(files),
        "approves_documents": list(approves),
    }


# Parents may name kinds defined further down (ШМО sits under a school's council too): links are made
# once every kind of the catalogue that is installed exists.
CATALOGUE = [
    _kind(
        "rumo",
        "Региональное учебно-методическое объединение",
        "РУМО",
        Level.REGIONAL,
        parents=[],
        approves=[PLAN, REPORT, CANDIDATE, DEVELOPMENT],
    ),
    _kind(
        "cnppm",
        "Центр непрерывного повышения профессионального мастерства педагогических работников",
        "ЦНППМ",
        Level.REGIONAL,
        parents=["rumo"],
    ),
    _kind(
        "munumo",
        "Муниципальное учебно-методическое объединение",
        "МунУМО",
        Level.MUNICIPAL,
        parents=["cnppm", "rumo"],
        files=[PLAN, REPORT],
        approves=[PLAN, REPORT],
    ),
    _kind(
        "mms",
        "Муниципальная методическая служба",
        "ММС",
        Level.MUNICIPAL,
        parents=["cnppm", "rumo", "ipk", "rmmms"],
        files=[PLAN, REPORT],
        approves=[PLAN, REPORT],
    ),
    _kind(
        "rmo",
        "Районное (муниципальное) методическое объединение педагогов-предметников",
        "РМО",
        Level.MUNICIPAL,
        parents=["munumo", "mms"],
        files=[PLAN, REPORT],
    ),
    _kind(
        "gmo",
        "Городское методическое объединение педагогов-предметников",
        "ГМО",
        Level.MUNICIPAL,
        parents=["munumo", "mms"],
        files=[PLAN, REPORT],
    ),
    _kind(
        "shmo",
        "Школьное методическое объединение",
        "ШМО",
        Level.SCHOOL,
        parents=["rmo", "gmo", "munumo", "mms", "school_council"],
        requires_school=True,
        files=[PLAN, REPORT],
    ),
    _kind(
        "school_council",
        "Методический (научно-методический) совет образовательной организации",
        "МС ОО",
        Level.SCHOOL,
        parents=["munumo", "mms"],
        requires_school=True,
        files=[PLAN, REPORT],
        approves=[PLAN, REPORT],
    ),
    _kind(
        "section",
        "Секция муниципального учебно-методического объединения",
        "Секция",
        Level.MUNICIPAL,
        parents=["munumo", "mms"],
        files=[PLAN, REPORT],
    ),
    _kind(
        "working_group",
        "Рабочая (творческая, проблемная) группа",
        "РГ",
        Level.MUNICIPAL,
        parents=["munumo", "mms", "section", "gnms", "gms"],
        files=[PLAN, REPORT],
    ),
    _kind(
        "method_asset",
        "Муниципальный методический актив",
        "ММА",
        Level.MUNICIPAL,
        parents=["mms", "munumo"],
        files=[PLAN, REPORT],
    ),
    _kind(
        "prof_community",
        "Муниципальное профессиональное сообщество педагогов",
        "ПС",
        Level.MUNICIPAL,
        parents=["mms", "munumo"],
        files=[PLAN, REPORT],
    ),
    _kind(
        "rmmms",
        "Регионально-муниципальная многоуровневая методическая служба",
        "РМММС",
        Level.REGIONAL,
        parents=[],
    ),
    _kind(
        "ipk",
        "Региональный институт повышения квалификации (развития образования)",
        "ИПК",
        Level.REGIONAL,
        parents=["rmmms", "rumo"],
        approves=[PLAN, REPORT],
    ),
    _kind(
        "regional_council",
        "Совет регионального уровня (учёный, учебно-методический, координационный)",
        "Совет",
        Level.REGIONAL,
        parents=["ipk", "rmmms", "rumo"],
        files=[PLAN, REPORT],
    ),
    _kind(
        "regional_mo",
        "Региональное методическое объединение (ассоциация) педагогов",
        "РегМО",
        Level.REGIONAL,
        parents=["rumo", "cnppm", "ipk", "rmmms"],
        files=[PLAN, REPORT],
    ),
    _kind(
        "gnms",
        "Городской (районный) научно-методический совет",
        "Г(Р)НМС",
        Level.MUNICIPAL,
        parents=["mms", "munumo"],
        files=[PLAN, REPORT],
        approves=[PLAN, REPORT],
    ),
    _kind(
        "gms",
        "Городской (районный) методический совет",
        "Г(Р)МС",
        Level.MUNICIPAL,
        parents=["mms", "munumo"],
        files=[PLAN, REPORT],
    ),
    _kind(
        "lab",
        "Лаборатория (городская, районная)",
        "Лаборатория",
        Level.MUNICIPAL,
        parents=["mms", "munumo", "gnms"],
        files=[PLAN, REPORT],
    ),
    _kind(
        "vtk",
        "Временный творческий коллектив",
        "ВТК",
        Level.MUNICIPAL,
        parents=["mms", "munumo", "gnms", "gms"],
        files=[PLAN, REPORT],
    ),
    _kind(
        "omp",
        "Опорная (базовая) методическая площадка",
        "ОМП",
        Level.MUNICIPAL,
        parents=["mms", "munumo"],
        requires_school=True,
        files=[PLAN, REPORT],
    ),
    _kind(
        "internship_site",
        "Стажировочная площадка",
        "СП",
        Level.MUNICIPAL,
        parents=["cnppm", "ipk", "mms", "munumo"],
        requires_school=True,
        files=[PLAN, REPORT],
    ),
    _kind(
        "innovation_site",
        "Инновационная (пилотная, экспериментальная) площадка",
        "ИП",
        Level.MUNICIPAL,
        parents=["mms", "munumo", "ipk", "cnppm"],
        requires_school=True,
        files=[PLAN, REPORT],
    ),
    _kind(
        "resource_centre",
        "Ресурсный (методический) центр образовательной организации",
        "РЦ",
        Level.SCHOOL,
        parents=["mms", "munumo"],
        requires_school=True,
        files=[PLAN, REPORT],
        approves=[PLAN, REPORT],
    ),
    _kind(
        "vnik",
        "Временный научно-исследовательский коллектив",
        "ВНИК",
        Level.SCHOOL,
        parents=["school_council", "resource_centre"],
        requires_school=True,
        files=[PLAN, REPORT],
    ),
]
BY_CODE = {kind["code"]: kind for kind in CATALOGUE}

# РУМО → ЦНППМ → МунУМО / ММС → РМО / ГМО → ШМО (DESIGN.md, "The network tree").
STANDARD = ["rumo", "cnppm", "munumo", "mms", "rmo", "gmo", "shmo"]

FIELDS = ["name", "short_name", "level", "requires_school", "files_documents", "approves_documents"]


@dataclass
class Installed:
    """What one run did; `kinds` maps the code of every requested kind to its row."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kinds: dict[str, UnitKind] = field(default_factory=dict)


@transaction.atomic
def install_unit_kinds(codes=None) -> Installed:
    """Create the shipped kinds `codes` (all of the catalogue when None) or bring them back to the shipped
    definition, and link every installed shipped kind to its shipped parents that exist.

    Idempotent: a second run changes nothing. Parent links are only added, never removed, so a link the
    superuser made in the admin survives an upgrade; a parent kind that is not installed is linked the day
    it is (installing «МС ОО» later puts it among the parents of an already installed ШМО).
    """
    codes = list(BY_CODE) if codes is None else list(codes)
    unknown = [code for code in codes if code not in BY_CODE]
    if unknown:
        raise ValueError(f"Неизвестные виды подразделений: {', '.join(unknown)}.")
    result = Installed()
    existing = {kind.code: kind for kind in UnitKind.objects.filter(code__in=codes)}
    for code in codes:
        wanted = {name: BY_CODE[code][name] for name in FIELDS}
        kind = existing.get(code)
        if kind is None:
            kind = UnitKind(code=code, **wanted)
            kind.full_clean(exclude=["allowed_parents"])
            kind.save()
            result.created.append(code)
        elif any(getattr(kind, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(kind, name, value)
            kind.full_clean(exclude=["allowed_parents"])
            kind.save()
            result.updated.append(code)
        result.kinds[code] = kind

    installed = {kind.code: kind for kind in UnitKind.objects.filter(code__in=list(BY_CODE))}
    linked = set(
        UnitKind.allowed_parents.through.objects.filter(from_unitkind__in=installed.values()).values_list(
            "from_unitkind__code", "to_unitkind__code"
        )
    )
    for code, kind in installed.items():
        missing = [installed[p] for p in BY_CODE[code]["parents"] if p in installed and (code, p) not in linked]
        if missing:
            kind.allowed_parents.add(*missing)
            if code not in result.created and code not in result.updated:
                result.updated.append(code)
    result.unchanged = [code for code in codes if code not in result.created and code not in result.updated]
    return result
