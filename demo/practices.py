"""Demo expertise: the demo teacher has a practice in the bank after a full expertise (the
`reviewer` login as the expert) and one more waiting for the reviewer's conclusion; a few
generated members of the Terek МунУМО have published practices for the bank's search."""

import datetime
import io
import zipfile
from xml.sax.saxutils import escape

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from orgunits.models import OrgUnit
from people.models import Person, Subject
from practices import services
from practices.models import EducationLevel, MaterialKind, Verdict

TEACHER_PUBLISHED = {
    "title": "Система заданий по формированию математической грамотности в 5–6 классах",
    "subject": "Математика",
    "level": EducationLevel.OOO,
    "material": MaterialKind.DIDACTIC,
    "topic": "функциональная грамотность, математическая грамотность, 5 класс, 6 класс, практические задачи",
    "annotation": "Комплект из 24 заданий с контекстами из жизни республики (тарифы, маршруты, сельское "
    "хозяйство) с критериями оценивания и методическими комментариями для учителя.",
}
TEACHER_IN_EXPERTISE = {
    "title": "Рабочая программа курса внеурочной деятельности «Практическая математика» для 8–9 классов",
    "subject": "Математика",
    "level": EducationLevel.OOO,
    "material": MaterialKind.PROGRAM,
    "topic": "внеурочная деятельность, ОГЭ, практико-ориентированные задачи",
    "annotation": "Программа на 34 часа: планируемые результаты, содержание, тематическое планирование "
    "и подборка практико-ориентированных задач для подготовки к ОГЭ.",
}
OTHERS = [
    {
        "title": "Смысловое чтение на уроках русского языка: технологические карты уроков",
        "subject": "Русский язык",
        "level": EducationLevel.OOO,
        "material": MaterialKind.LESSON,
        "topic": "смысловое чтение, читательская грамотность, технологическая карта",
        "annotation": "Пять технологических карт уроков в 7 классе с приёмами смыслового чтения и листами самооценки.",
    },
    {
        "title": "Проектная деятельность на уроках истории родного края",
        "subject": "История",
        "level": EducationLevel.SOO,
        "material": MaterialKind.DEVELOPMENT,
        "topic": "проектная деятельность, краеведение, история Кабардино-Балкарии",
        "annotation": "Серия учебных проектов для 10–11 классов: от выбора темы до защиты, с критериями оценки.",
    },
    {
        "title": "Лабораторный практикум по биологии с цифровой лабораторией",
        "subject": "Биология",
        "level": EducationLevel.OOO,
        "material": MaterialKind.DIDACTIC,
        "topic": "цифровая лаборатория, естественнонаучная грамотность, Точка роста",
        "annotation": "Двенадцать лабораторных работ с датчиками цифровой лаборатории центра «Точка роста».",
    },
    {
        "title": "Игровые приёмы обучения родному языку в начальной школе",
        "subject": "Родной язык и родная литература",
        "level": EducationLevel.NOO,
        "material": MaterialKind.RECOMMENDATIONS,
        "topic": "родной язык, игровые технологии, начальная школа",
        "annotation": "Методические рекомендации с описанием 20 игр для уроков родного языка в 1–4 классах.",
    },
    {
        "title": "Наставничество молодого учителя информатики",
        "subject": "Информатика",
        "level": EducationLevel.DPO,
        "material": MaterialKind.RECOMMENDATIONS,
        "topic": "наставничество, молодой педагог, информатика, адаптация",
        "annotation": "Программа наставничества на год: план встреч, посещение уроков, диагностика затруднений.",
    },
]


def docx(title: str, text: str) -> bytes:
    """A minimal Word document (it opens in Word and LibreOffice and passes the upload check)."""
    paragraphs = "".join(f"<w:p><w:r><w:t>{escape(line)}</w:t></w:r></w:p>" for line in (title, text))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/'
            'word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
            'document.main+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            f'wordprocessingml/2006/main"><w:body>{paragraphs}</w:body></w:document>',
        )
    return buffer.getvalue()


def _upload(data, name):
    return SimpleUploadedFile(name, docx(data["title"], data["annotation"]))


def _at(today, days_ago, hour=10):
    day = today - datetime.timedelta(days=days_ago)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def _description(data, subjects):
    return {**{k: v for k, v in data.items() if k != "subject"}, "subject": subjects[data["subject"]]}


def _send(unit, author, by, data, subjects, today, days_ago, name):
    dev = services.create(
        unit=unit,
        author=author,
        by=by,
        data=_description(data, subjects),
        uploaded=_upload(data, name),
        now=_at(today, days_ago, 9),
    )
    return services.submit(dev, by, _at(today, days_ago - 1), dev.version)


def _full_expertise(dev, reviewer, today, days_ago, comment):
    dev = services.assign(dev, [reviewer], reviewer, _at(today, days_ago), dev.version)
    assignment = dev.assignments.get(expert=reviewer, round=dev.round)
    services.conclude(assignment, reviewer, Verdict.RECOMMEND, comment, _at(today, days_ago - 5))
    dev.refresh_from_db()
    dev = services.decide(dev, reviewer, Verdict.RECOMMEND, "", _at(today, days_ago - 7), dev.version)
    return services.publish(dev, reviewer, _at(today, days_ago - 8), dev.version)


def load_demo_practices(today: datetime.date) -> None:
    User = get_user_model()
    reviewer = User.objects.get(username="reviewer")
    secretary = User.objects.get(username="secretary")
    teacher = Person.objects.get(user__username="teacher")
    subjects = {s.name: s for s in Subject.objects.all()}
    teacher_unit = teacher.memberships.active().select_related("unit").get(unit__kind__code="rmo").unit

    dev = _send(
        teacher_unit,
        teacher,
        teacher.user,
        TEACHER_PUBLISHED,
        subjects,
        today,
        70,
        "Математическая_грамотность_5-6.docx",
    )
    _full_expertise(
        dev,
        reviewer,
        today,
        65,
        "Задания соответствуют ФГОС ООО и модели PISA, критерии оценивания ясные. Рекомендую к публикации "
        "и к использованию в школах республики.",
    )

    dev = _send(
        teacher_unit,
        teacher,
        teacher.user,
        TEACHER_IN_EXPERTISE,
        subjects,
        today,
        12,
        "Практическая_математика_8-9.docx",
    )
    services.assign(dev, [reviewer], reviewer, _at(today, 10), dev.version)

    # Published practices of the Terek МунУМО's members, sent by its secretary on their behalf.
    terek = OrgUnit.objects.get(pk=secretary.person.memberships.active().get(role="secretary").unit_id)
    authors = list(
        Person.objects.filter(memberships__unit=terek, memberships__left_on__isnull=True, user__isnull=True)
        .order_by("pk")
        .distinct()[: len(OTHERS)]
    )
    for i, (data, author) in enumerate(zip(OTHERS, authors, strict=False)):
        dev = _send(terek, author, secretary, data, subjects, today, 120 - i * 9, f"practice-{i + 1}.docx")
        _full_expertise(dev, reviewer, today, 115 - i * 9, "Материал методически грамотный, готов к тиражированию.")
