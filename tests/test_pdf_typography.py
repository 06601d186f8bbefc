"""Official PDFs read as a clerk would set them: Russian hyphenation, no word split without a hyphen,
no heading alone at the foot of a page, the approval stamp where ГОСТ Р 7.0.97 puts it, no placeholders.

The layout is read from WeasyPrint's boxes (lines, rows and their positions), the text from the PDF.
"""

import datetime
import io
import re

import pytest
from django.template.loader import render_to_string
from pypdf import PdfReader

import network.pdf
from meetings.models import Meeting
from network.pdf import REGISTRY
from orders import services as order_services
from orders.models import OrderTemplate
from plans.models import Direction, EventForm, PlanItem, Timing

from . import documents as d
from . import factories as f
from .meetings_helpers import add_members, new_meeting

pytestmark = pytest.mark.django_db

HYPHENS = ("-", "\u2010", "\u00ad")
PLACEHOLDERS = ("Не заполнено", "не заполнено", "не указан", "не отмечены", "не внесены", "Не указано")
LONG_WORDS = (
    "Организация профессионального методического сопровождения педагогических работников "
    "общеобразовательных организаций муниципального района"
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def chair(net):
    person = f.PersonFactory(region=net.region, last_name="Шогенов", first_name="Аслан", middle_name="Мухамедович")
    f.member(person, net.terek, "chair")
    return person


def build(kind, obj):
    template_name, context, _ = REGISTRY[kind].build(obj)
    return template_name, context


def pdf_text(kind, obj) -> str:
    data = network.pdf.render_pdf(*build(kind, obj))
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def layout(kind, obj):
    """WeasyPrint's laid-out document of the PDF the portal serves."""
    from weasyprint import HTML

    template_name, context = build(kind, obj)
    html = render_to_string(template_name, {**context, "font_dir": network.pdf.FONT_DIR.as_uri()})
    return HTML(string=html, base_url=str(network.pdf.ASSET_DIR), url_fetcher=network.pdf._url_fetcher()).render()


def _text(box) -> str:
    own = getattr(box, "text", None) or ""
    return own + "".join(_text(child) for child in getattr(box, "children", ()))


def _classes(box) -> set[str]:
    element = getattr(box, "element", None)
    return set((element.get("class") or "").split()) if element is not None else set()


def boxes(box, kind: str):
    """Every box of class name `kind` under `box`, in document order."""
    if type(box).__name__ == kind:
        yield box
    for child in getattr(box, "children", ()):
        yield from boxes(child, kind)


def lines_of(document) -> list[tuple[int, object]]:
    return [(n, line) for n, page in enumerate(document.pages) for line in boxes(page._page_box, "LineBox")]


# -- hyphenation -----------------------------------------------------------------------------------


def test_the_base_declares_russian_and_hyphenation_never_a_bare_split(net, chair):
    plan = d.plan(net)
    d.item(plan)
    html = render_to_string(*build("plan", plan))
    assert '<html lang="ru">' in html
    assert "hyphens: auto" in html
    assert "overflow-wrap: anywhere" not in html and "break-all" not in html and "break-word" not in html


def test_plan_words_are_hyphenated_and_never_split_without_a_hyphen(net, chair):
    responsible = "Заместитель председателя методического объединения"
    plan = d.plan(net)
    d.item(plan, activity=LONG_WORDS, responsible=responsible, expected_result=LONG_WORDS)
    source = re.sub(r"<[^>]+>", " ", render_to_string(*build("plan", plan)))
    words = {w.lower() for w in re.findall(r"[А-Яа-яЁё]+", source.replace("&shy;", ""))}  # every whole word

    hyphenated, bare, after_hyphen = [], [], False
    for _, line in lines_of(layout("plan", plan)):
        text = _text(line).rstrip()
        last = re.findall(r"[А-Яа-яЁё]+$", text)
        # A line that ends in a piece of a word is the word's last piece (after a hyphenated line) or a bare split.
        if last and last[0].lower() not in words and not (after_hyphen and " " not in text.strip()):
            bare.append(text)
        after_hyphen = text.endswith(HYPHENS)
        if after_hyphen:
            hyphenated.append(text)
    assert len(hyphenated) >= 3, hyphenated
    assert bare == []


def test_a_word_wider_than_its_cell_breaks_with_a_hyphen(net, chair):
    plan = d.plan(net)
    d.item(plan, activity="Ж" * 120)
    fragments = [_text(line).strip() for _, line in lines_of(layout("plan", plan)) if "ЖЖЖ" in _text(line)]
    assert len(fragments) > 1
    assert all(fragment.endswith(HYPHENS) for fragment in fragments[:-1]), fragments
    assert sum(fragment.count("Ж") for fragment in fragments) == 120


# -- headings stay with what follows ---------------------------------------------------------------


def test_no_direction_row_is_left_alone_at_the_foot_of_a_page(net, chair):
    plan = d.plan(net)
    directions = Direction.values
    # Counts chosen so that, without «break-after: avoid», direction rows fall at the page foot.
    counts = [9, 2, 7, 1, 5, 3, 8, 4, 6, 2, 7, 3]
    position = 0
    for direction, count in zip(directions, counts, strict=False):
        for i in range(count):
            PlanItem.objects.create(
                submission=plan,
                direction=direction,
                activity=f"{LONG_WORDS} (мероприятие {position + 1})",
                form=EventForm.SEMINAR,
                timing=Timing.MONTH,
                month=10,
                responsible="Иванова М. И.",
                expected_result="Методические рекомендации" + (" и выступления на семинаре" * (i % 3)),
                position=position,
            )
            position += 1
    document = layout("plan", plan)
    assert len(document.pages) > 2
    for number, page in enumerate(document.pages[:-1], start=1):
        rows = [row for row in boxes(page._page_box, "TableRowBox") if _text(row).strip()]
        body_rows = [row for row in rows if "Мероприятие" not in _text(row)]  # the repeated head
        assert body_rows, f"page {number} has no rows"
        assert "direction" not in _classes(body_rows[-1]), f"page {number} ends with «{_text(body_rows[-1])}»"


# -- the approval stamp ----------------------------------------------------------------------------


def test_the_stamp_sits_top_right_with_each_requisite_on_its_own_line(net, chair):
    plan = d.plan(net)
    d.item(plan)
    d.approve(plan, net)  # by the РУМО's expert on 20.08.2026

    text = pdf_text("plan", plan)
    assert text.startswith("УТВЕРЖДАЮ Эксперт (куратор) РУМО КБР М.И. Фамилия-reviewer 20.08.2026 ТЕРСКОЕ МУНУМО")

    document = layout("plan", plan)
    first = document.pages[0]
    stamp = next(b for b in boxes(first._page_box, "BlockBox") if "stamp" in _classes(b))
    lines = list(boxes(stamp, "LineBox"))
    assert [_text(line).strip() for line in lines] == [
        "УТВЕРЖДАЮ",
        "Эксперт (куратор)",
        "РУМО КБР",
        "М.И. Фамилия-reviewer",
        "20.08.2026",
    ]
    page_width = first.width
    assert stamp.content_box_x() > page_width / 2  # in the right half
    assert stamp.content_box_y() < 100  # at the very top of the first page
    starts = {round(line.children[0].position_x) for line in lines}
    assert starts == {round(stamp.content_box_x())}  # left-aligned within the block, the signature line too


def test_the_report_stamp_says_soglasovano(net, chair):
    report = d.report(net)
    d.approve(report, net)
    assert pdf_text("report", report).startswith("СОГЛАСОВАНО Эксперт (куратор) РУМО КБР М.И. Фамилия-reviewer")


def test_a_chair_signs_as_chair_of_the_approving_unit_named_in_the_genitive(net, chair):
    from submissions import pdf as submission_pdf

    net.rumo.name = "Региональное учебно-методическое объединение Кабардино-Балкарской Республики"
    net.rumo.save()
    boss = f.PersonFactory(region=net.region, user=f.UserFactory(), position="начальник отдела")
    f.member(boss, net.rumo, "chair")
    assert submission_pdf._position(boss.user, net.rumo) == "Председатель"
    assert submission_pdf._position(boss.user, net.terek) == "Начальник отдела"  # no role there: own position
    plan = d.plan(net)
    d.approve(plan, net)
    plan.refresh_from_db()
    stamp = submission_pdf.approval(plan, "УТВЕРЖДАЮ")
    assert stamp["organisation"] == "Регионального учебно-методического объединения Кабардино-Балкарской Республики"


# -- no placeholders ---------------------------------------------------------------------------------


def test_an_empty_report_section_is_left_out_not_marked(net, chair):
    report = d.report(net)
    sections = list(report.report_sections.all())
    sections[1].text = "Проведено четыре заседания."
    sections[1].save()
    text = pdf_text("report", report)
    assert not any(p in text for p in PLACEHOLDERS)
    assert f"1. {sections[1].title} Проведено четыре заседания." in text
    assert sections[0].title not in text
    assert "2. Показатели" in text


def test_an_empty_plan_prints_no_placeholder(net, chair):
    text = pdf_text("plan", d.plan(net))
    assert not any(p in text for p in PLACEHOLDERS) and "не внесены" not in text
    assert "ПЛАН РАБОТЫ" in text


def test_a_protocol_without_officers_agenda_or_attendance_has_no_placeholders(net):
    meeting = new_meeting(net, chair=None, secretary=None)
    text = pdf_text("protocol", meeting)
    assert not any(p in text for p in PLACEHOLDERS), text
    assert "ПОВЕСТКА ДНЯ" not in text and "Присутствовали:" not in text


def test_the_protocol_heading_is_in_the_genitive(net):
    net.terek.name = "Муниципальное учебно-методическое объединение Терского муниципального района"
    net.terek.save()
    add_members(net, net.terek, 2)
    meeting = Meeting.objects.get(pk=new_meeting(net).pk)
    text = pdf_text("protocol", meeting)
    assert "ПРОТОКОЛ" in text
    assert "заседания Муниципального учебно-методического объединения Терского муниципального района" in text


def test_an_order_prints_no_placeholder_and_hyphenates(net, chair):
    order = order_services.create_order(
        net.terek, OrderTemplate.FREE, datetime.date(2026, 9, 1), net.users.secretary, heading="О семинаре"
    )
    text = pdf_text("order", order)
    assert not any(p in text for p in PLACEHOLDERS)
    assert "hyphens: auto" in render_to_string(*build("order", order))


def test_the_chairs_signature_names_the_kind_in_the_genitive(net, chair):
    from submissions import pdf as submission_pdf

    plan = d.plan(net)
    assert submission_pdf.signers(plan)[0][0]["position"] == "Председатель МунУМО"
    kind = plan.unit.kind
    kind.name, kind.short_name = "Муниципальное учебно-методическое объединение", ""
    kind.save()
    assert submission_pdf.signers(plan)[0][0]["position"] == (
        "Председатель Муниципального учебно-методического объединения"
    )
