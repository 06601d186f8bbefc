"""The plan and report PDFs and the machinery behind them (network/pdf.py).

What the printout says (ГОСТ requisites in order, Cyrillic intact, A4, escaping of what users
type), that a version is rendered once and again after every change, the background path of a
long plan with its progress page, a failed render and its retry, and who may print.
"""

import datetime
import io
import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from pypdf import PdfReader

import network.pdf
from network.models import RenderedDocument
from network.pdf import REGISTRY
from network.tasks import render_document
from plans.models import Direction, EventForm, PlanItem, Timing
from submissions import pdf as submission_pdf
from submissions import services

from . import documents as d
from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def renders(monkeypatch):
    """Calls of network.pdf.render_pdf, which still renders for real."""
    calls = []
    real = network.pdf.render_pdf

    def counting(template_name, context):
        calls.append(template_name)
        return real(template_name, context)

    monkeypatch.setattr(network.pdf, "render_pdf", counting)
    return calls


@pytest.fixture
def queued(monkeypatch):
    """Tasks sent to Celery (pks of RenderedDocument); nothing reaches a broker."""
    sent = []
    monkeypatch.setattr(render_document, "delay", lambda pk: sent.append(pk))
    return sent


@pytest.fixture
def chair(net):
    person = f.PersonFactory(region=net.region, last_name="Шогенов", first_name="Аслан", middle_name="Мухамедович")
    f.member(person, net.terek, "chair")
    return person


def pdf_url(submission):
    return reverse("submissions:pdf", args=[submission.pk])


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def pdf_text(data: bytes) -> str:
    """The text of every page, whitespace folded (table cells wrap their lines)."""
    reader = PdfReader(io.BytesIO(data))
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    # From page 2 the page number is extracted last; a word hyphenated at a page's foot continues after it.
    pages = [page.removesuffix(f" {n}") if n > 1 else page for n, page in enumerate(pages, start=1)]
    return re.sub(r"\u00ad?\u2010\s*", "", " ".join(pages))  # words hyphenated at a line end, joined again


def assert_in_order(text: str, parts: list[str]) -> None:
    """Each part occurs in `text` after the one before it."""
    at = 0
    for part in parts:
        found = text.find(part, at)
        assert found >= 0, f"{part!r} not found after …{text[max(0, at - 80) : at]!r}"
        at = found + len(part)


def page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def get_pdf(client, submission) -> bytes:
    response = client.get(pdf_url(submission))
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    return body(response)


def many_items(submission, count):
    directions = Direction.values
    PlanItem.objects.bulk_create(
        PlanItem(
            submission=submission,
            direction=directions[i % len(directions)],
            activity=f"Мероприятие № {i + 1}: семинар-практикум для учителей района",
            form=EventForm.SEMINAR,
            timing=Timing.MONTH,
            month=10,
            responsible="Иванова М. И.",
            expected_result="Методические рекомендации",
            position=i,
        )
        for i in range(count)
    )


def render_now(submission) -> bytes:
    """The PDF of the document as it stands, past storage and the background queue."""
    template_name, context, _ = REGISTRY[submission.campaign.document_type].build(submission)
    return network.pdf.render_pdf(template_name, context)


# -- what the plan says ---------------------------------------------------------------------------


def test_plan_pdf_has_the_requisites_in_order_with_cyrillic_intact(net, login, chair):
    plan = d.plan(net)
    d.item(plan, direction=Direction.YOUNG, activity="Школа молодого педагога «Ёлочка»", responsible="Щукина Ю. Э.")
    d.item(
        plan,
        direction=Direction.FGOS,
        activity="Семинар по обновлённым ФГОС",
        timing=Timing.DATE,
        date=datetime.date(2026, 10, 3),
        expected_result="Методические рекомендации",
    )
    d.approve(plan, net)  # approved on 20.08.2026, the day the campaign opens

    text = pdf_text(get_pdf(login(net.users.secretary), plan))

    sequence = [
        "УТВЕРЖДАЮ",  # the approval stamp, top right
        "РУМО КБР",
        "М.И. Фамилия-reviewer",
        "ТЕРСКОЕ МУНУМО",  # the organisation (set in capitals)
        "ПЛАН РАБОТЫ",
        "20.08.2026",  # the date: the day of approval
        "на 2026/2027 учебный год",  # the heading
        "Мероприятие Форма Срок",  # the table's head
        "1. Методическое сопровождение ФГОС",  # directions in the order of 001 §3.2
        "1.1 Семинар по обновлённым ФГОС семинар 03.10.2026 Иванова М. И. Методические рекомендации",
        "2. Сопровождение молодых специалистов",
        "2.1 Школа молодого педагога «Ёлочка» семинар октябрь Щукина Ю. Э.",
        "Председатель МунУМО А.М. Шогенов",  # the chair signs
        "Исп. Фамилия-secretary Мария Ивановна",  # the secretary is the executor
    ]
    assert_in_order(text, sequence)
    assert "ПРОЕКТ" not in text
    assert "\ufffd" not in text


def test_a_draft_is_marked_as_project_without_the_stamp(net, login, chair):
    plan = d.plan(net)
    d.item(plan)

    text = pdf_text(get_pdf(login(net.users.secretary), plan))

    assert text.startswith("ПРОЕКТ")
    assert "УТВЕРЖДАЮ" not in text


def test_plan_pdf_is_a4_and_grows_with_its_items(net, chair):
    short, long = d.plan(net), d.plan(net, unit=net.baksan)
    many_items(short, 3)
    many_items(long, 100)

    short_pdf, long_pdf = render_now(short), render_now(long)

    for data in (short_pdf, long_pdf):
        for page in PdfReader(io.BytesIO(data)).pages:
            assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    assert page_count(short_pdf) == 1
    assert page_count(long_pdf) > 5
    text = pdf_text(long_pdf)
    assert "Мероприятие № 100: семинар-практикум" in text  # nothing lost on the way
    assert text.count("семинар-практикум для учителей района") == 100


def test_what_users_type_is_printed_as_text_never_as_markup(net, login, chair):
    plan = d.plan(net)
    hostile = '<script>alert("x")</script> <img src="file:///etc/passwd"> Рога & копыта'
    d.item(plan, activity=hostile, responsible="О'Нил Д. & «Ко»", expected_result="\"кавычки\" и 'апострофы'")
    long_activity = ("Длинное описание мероприятия " * 200)[:4990] + " КОНЕЦ"
    assert len(long_activity) == 4996
    d.item(plan, activity=long_activity, direction=Direction.YOUNG)
    d.item(plan, activity="Ж" * 400, direction=Direction.CONTESTS)  # one word wider than the page

    template_name, context, _ = REGISTRY["plan"].build(plan)
    html = render_to_string(template_name, context)
    assert "<script>" not in html and "<img src" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html and "Рога &amp; копыта" in html

    data = get_pdf(login(net.users.secretary), plan)
    text = pdf_text(data)
    assert hostile.replace(" ", "") in text.replace(" ", "")  # shown as typed (wrapped inside its cell)
    assert "О'Нил Д. & «Ко»" in text and "\"кавычки\" и 'апострофы'" in text
    assert text.count("Длинное") == 172 and "КОНЕЦ" in text  # wrapped over pages, not cut
    assert text.replace(" ", "").count("Ж") == 400  # broken across lines inside its cell
    assert page_count(data) > 2


def test_a_document_loads_files_from_static_only():
    fetcher = network.pdf._url_fetcher()

    assert fetcher.fetch((network.pdf.FONT_DIR / "LiberationSerif-Regular.ttf").as_uri()).read(4)
    assert fetcher.fetch("data:text/plain,ok").read() == b"ok"
    for url in ("file:///etc/passwd", f"{network.pdf.FONT_DIR.as_uri()}/../../manage.py", "http://127.0.0.1:9/"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


# -- the report -----------------------------------------------------------------------------------


def test_report_pdf_has_its_sections_and_figures(net, login, chair):
    report = d.report(net)
    sections = list(report.report_sections.all())
    sections[0].text = "Итоги года: проведено 12 заседаний.\n\nВторой абзац & <b>не разметка</b>."
    sections[0].save()
    figure = report.report_figures.get(key="members_end")
    figure.value = 42
    figure.save()

    text = pdf_text(get_pdf(login(net.users.secretary), report))

    sequence = [
        "ТЕРСКОЕ МУНУМО",
        "ОТЧЁТ",
        "о работе за 2026 год",
        f"1. {sections[0].title} Итоги года: проведено 12 заседаний. Второй абзац & <b>не разметка</b>.",
        "2. Показатели № Показатель Значение",  # the empty sections are left out (no «Не заполнено»)
        "2.1 Участников на конец года 42",
        "Председатель МунУМО А.М. Шогенов",
        "Исп. Фамилия-secretary Мария Ивановна",
    ]
    assert_in_order(text, sequence)


# -- rendered once per version ---------------------------------------------------------------------


def test_a_version_is_rendered_once_and_again_after_an_edit(net, login, renders):
    plan = d.plan(net)
    d.item(plan, activity="Первое мероприятие")
    client = login(net.users.secretary)

    first = get_pdf(client, plan)
    again = get_pdf(client, plan)

    assert len(renders) == 1 and first == again
    assert RenderedDocument.objects.filter(kind="plan", object_id=plan.pk).count() == 1

    response = client.post(reverse("plans:edit", args=[plan.pk]), d.item_data(plan, activity="Второе мероприятие"))
    assert response.status_code == 302
    edited = get_pdf(client, plan)

    assert len(renders) == 2
    assert "Второе мероприятие" in pdf_text(edited) and "Второе мероприятие" not in pdf_text(first)
    get_pdf(client, plan)
    assert len(renders) == 2


def test_every_change_of_state_renders_anew(net, login, renders, chair):
    """Reopened and approved again without an edit: the new approval date, not the old PDF."""
    plan = d.plan(net)
    d.item(plan)
    client = login(net.users.secretary)
    get_pdf(client, plan)
    d.approve(plan, net)  # 20.08.2026
    approved = pdf_text(get_pdf(client, plan))
    assert len(renders) == 2 and "УТВЕРЖДАЮ" in approved and "20.08.2026" in approved

    later = datetime.datetime(2026, 9, 2, 9, tzinfo=datetime.UTC)
    services.reopen(plan, net.users.reviewer, "Уточнить сроки", later)
    services.submit(plan, net.users.secretary, later, later.date())
    services.approve(plan, net.users.reviewer, later)
    plan.refresh_from_db()
    reapproved = pdf_text(get_pdf(client, plan))

    assert len(renders) == 3
    assert "02.09.2026" in reapproved and "20.08.2026" not in reapproved
    versions = RenderedDocument.objects.filter(kind="plan", object_id=plan.pk).values_list("version", flat=True)
    assert len(set(versions)) == 3


# -- a long plan renders in the background ---------------------------------------------------------


def test_a_long_plan_renders_in_the_background(net, login, renders, queued, django_capture_on_commit_callbacks, chair):
    plan = d.plan(net)
    many_items(plan, submission_pdf.BACKGROUND_ITEMS + 40)
    client = login(net.users.secretary)

    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(pdf_url(plan))

    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    assert "формируется" in html or "в очереди" in html.lower()
    assert "hx-get" in html  # the page follows the render by itself
    rendered = RenderedDocument.objects.get(kind="plan", object_id=plan.pk)
    assert queued == [rendered.pk] and renders == []
    assert rendered.status == RenderedDocument.Status.PENDING and rendered.queued_at is not None

    # Asking again while it waits queues nothing more; the page's polling gets its fragment only.
    with django_capture_on_commit_callbacks(execute=True):
        client.get(pdf_url(plan))
        poll = client.get(pdf_url(plan), headers={"HX-Request": "true"})
    assert queued == [rendered.pk]
    assert poll.status_code == 200 and "<html" not in poll.content.decode() and "pdf-progress" in poll.content.decode()

    result = render_document(rendered.pk)  # what the worker runs
    assert len(renders) == 1
    rendered.refresh_from_db()
    assert result == rendered.filename == "План работы 2026-2027 Терское МунУМО.pdf"
    assert rendered.status == RenderedDocument.Status.DONE and rendered.seconds is not None

    poll = client.get(pdf_url(plan), headers={"HX-Request": "true"})
    assert poll.status_code == 200 and "Скачать PDF" in poll.content.decode()  # a link, not the bytes
    data = get_pdf(client, plan)
    assert page_count(data) > 5 and "Мероприятие № 100:" in pdf_text(data)
    assert len(renders) == 1 and queued == [rendered.pk]
    assert render_document(rendered.pk) == "nothing to do"  # a duplicate message renders nothing


# -- failure and retry ------------------------------------------------------------------------------


@pytest.fixture
def broken(monkeypatch):
    """render_pdf fails until `broken.fixed = True`; counts its calls."""

    class Broken:
        fixed = False
        calls = 0

    real = network.pdf.render_pdf

    def render(template_name, context):
        Broken.calls += 1
        if not Broken.fixed:
            raise RuntimeError("шрифт не найден")
        return real(template_name, context)

    monkeypatch.setattr(network.pdf, "render_pdf", render)
    return Broken


def test_a_failed_render_shows_the_error_and_a_post_retries(net, login, broken):
    plan = d.plan(net)
    d.item(plan)
    client = login(net.users.secretary)

    failed = client.get(pdf_url(plan))

    assert failed.status_code == 500
    assert "Не удалось сформировать документ" in failed.content.decode()
    assert "Сформировать заново" in failed.content.decode()
    rendered = RenderedDocument.objects.get(kind="plan", object_id=plan.pk)
    assert rendered.status == RenderedDocument.Status.FAILED and "шрифт не найден" in rendered.error

    assert client.get(pdf_url(plan)).status_code == 500  # a GET does not try again by itself
    assert broken.calls == 1

    broken.fixed = True
    retried = client.post(pdf_url(plan))

    assert retried.status_code == 200 and retried["Content-Type"] == "application/pdf"
    assert broken.calls == 2
    assert get_pdf(client, plan).startswith(b"%PDF")
    assert broken.calls == 2


def test_a_failed_background_render_is_retried_from_its_page(
    net, login, broken, queued, django_capture_on_commit_callbacks
):
    plan = d.plan(net)
    many_items(plan, submission_pdf.BACKGROUND_ITEMS + 1)
    client = login(net.users.secretary)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(pdf_url(plan))
    rendered = RenderedDocument.objects.get(kind="plan", object_id=plan.pk)

    with pytest.raises(RuntimeError):
        render_document(rendered.pk)  # the worker's attempt fails and is recorded

    page = client.get(pdf_url(plan))
    assert page.status_code == 500 and "Не удалось сформировать" in page.content.decode()
    poll = client.get(pdf_url(plan), headers={"HX-Request": "true"})  # htmx swaps only 2xx answers
    assert poll.status_code == 200 and "Сформировать заново" in poll.content.decode()

    broken.fixed = True
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(pdf_url(plan))
    assert again.status_code == 200 and "в очереди" in again.content.decode().lower()
    assert queued == [rendered.pk, rendered.pk]
    render_document(rendered.pk)
    assert get_pdf(client, plan).startswith(b"%PDF")


# -- who may print -----------------------------------------------------------------------------------


def test_only_those_who_see_the_document_may_print_it(net, login, client):
    plan = d.plan(net)
    d.item(plan)

    for user in (net.users.outsider, net.users.baksan_methodist):
        assert login(user).get(pdf_url(plan)).status_code == 404
        assert login(user).post(pdf_url(plan)).status_code == 404
    assert not RenderedDocument.objects.exists()
    client.logout()
    anonymous = client.get(pdf_url(plan))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.url
    assert login(net.users.reviewer).get(pdf_url(plan))["Content-Type"] == "application/pdf"
    assert login(net.users.superuser).get(pdf_url(plan)).status_code == 200
    assert client.get(reverse("submissions:pdf", args=[plan.pk + 1000])).status_code == 404


def test_print_buttons_on_the_document_and_both_editors(net, login):
    plan, report = d.plan(net), d.report(net)
    client = login(net.users.secretary)

    pages = [
        reverse("submissions:submission", args=[plan.pk]),
        reverse("plans:edit", args=[plan.pk]),
        reverse("reports:edit", args=[report.pk]),
        reverse("submissions:submission", args=[report.pk]),
    ]
    for url, document in zip(pages, (plan, plan, report, report), strict=True):
        html = client.get(url).content.decode()
        assert f'href="{pdf_url(document)}"' in html and "Печать (PDF)" in html, url
