"""The protocol PDF (ГОСТ Р 7.0.97-2025, full form): requisites in order, Cyrillic, A4, escaping,
one rendering per version."""

import io
import os
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from meetings import services
from network.models import RenderedDocument

from .meetings_helpers import add_chair, add_members, confirmed_meeting, item, mark_present, new_meeting

A4 = (595, 842)


@pytest.fixture
def terek(net, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    add_chair(net)
    return net


def download(client, user, meeting):
    client.force_login(user)
    response = client.get(reverse("meetings:protocol", args=[meeting.pk]))
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    data = b"".join(response.streaming_content)
    if keep := os.environ.get("KEEP_PDF"):  # a directory to look at the PDFs with one's own eyes
        with open(os.path.join(keep, f"{len(os.listdir(keep)):02d}-protocol-v{meeting.version}.pdf"), "wb") as fh:
            fh.write(data)
    return PdfReader(io.BytesIO(data))


def text_of(reader) -> str:
    """The text of every page, whitespace collapsed (justified lines extract with double spaces)."""
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    return re.sub(r"\u00ad?\u2010\s*", "", text)  # words hyphenated at a line end, joined again


def assert_in_order(text, needles):
    position = 0
    for needle in needles:
        found = text.find(needle, position)
        assert found >= 0, f"«{needle}» не найдено после позиции {position}:\n{text}"
        position = found + len(needle)


def test_the_protocol_has_the_requisites_in_order(client, terek):
    meeting = confirmed_meeting(
        terek,
        members=10,
        present=6,
        votes=(5, 1, 0),
        guests="Кумыкова Асият Хасанбиевна, специалист управления образования",
    )
    reader = download(client, terek.users.methodist, meeting)
    text = text_of(reader)
    assert_in_order(
        text,
        [
            "ТЕРСКОЕ МУНУМО",  # the organisation (set in capitals)
            "ПРОТОКОЛ",
            "20.11.2026",
            "№ 1",
            "г. Терек, управление образования",
            "заседания Терского МунУМО",
            "Председатель — А.Б. Председателева",
            "Секретарь — М.И. Фамилия-secretary",
            "Присутствовали:",
            "Кворум имеется: присутствовали 6 из 10 членов.",
            "Приглашённые: Кумыкова Асият Хасанбиевна, специалист управления образования",
            "ПОВЕСТКА ДНЯ:",
            "Об утверждении плана работы",
            "1. СЛУШАЛИ:",
            "ВЫСТУПИЛИ:",
            "ПОСТАНОВИЛИ (РЕШИЛИ):",
            "Утвердить план работы.",
            "Голосовали: за — 5, против — 1, воздержались — 0.",
            "Решение принято.",
            "Председатель",
            "А.Б. Председателева",
            "Секретарь",
            "М.И. Фамилия-secretary",
            "Исп. Фамилия-secretary Мария Ивановна",
        ],
    )
    assert "ПРОЕКТ" not in text
    assert len(reader.pages) == 1
    width, height = (round(float(v)) for v in reader.pages[0].mediabox.upper_right)
    assert (width, height) == A4


def test_over_ten_present_the_list_is_attached(client, terek):
    meeting = confirmed_meeting(terek, members=14, present=12, votes=(10, 1, 1))
    reader = download(client, terek.users.secretary, meeting)
    text = text_of(reader)
    assert "Присутствовали: 12 человек (список прилагается)." in text
    assert len(reader.pages) == 2
    appendix = reader.pages[-1].extract_text()
    assert "Приложение" in appendix and "к протоколу от 20.11.2026 № 1" in appendix
    assert "Список присутствовавших на заседании" in appendix and "12." in appendix and "13." not in appendix
    # Page numbers from page 2 (the first page has none).
    assert appendix.split()[-1] == "2" and reader.pages[0].extract_text().split()[-1] != "1"


def test_an_inquorate_protocol_adopts_nothing(client, terek):
    add_members(terek, terek.terek, 7)
    meeting = mark_present(terek, new_meeting(terek), 5)
    item(terek, meeting, (5, 0, 0))
    text = text_of(download(client, terek.users.secretary, meeting))
    assert "ПРОЕКТ (протокол не подтверждён)" in text
    assert "Кворума нет: присутствовали 5 из 10 членов; решения не принимаются." in text
    assert "Решение не принято: нет кворума." in text


def test_hostile_and_long_texts_render_escaped(client, terek):
    long_text = ("Очень длинное выступление о методической работе & «кавычках». " * 80)[:5000]
    unbroken = "Ж" * 600  # a word with no place to break
    meeting = mark_present(terek, new_meeting(terek, guests='<b>Гость</b> "О\'Нил" & Ко'), 3)
    item(
        terek,
        meeting,
        (3, 0, 0),
        title='<script>alert("x")</script> Вопрос & «ответ»',
        heard=long_text,
        discussion=unbroken,
        decision="Решили: <img src=x onerror=alert(1)> 'да' & \"нет\"",
    )
    reader = download(client, terek.users.secretary, meeting)
    text = text_of(reader)
    assert len(reader.pages) >= 2
    flat = text
    assert '<script>alert("x")</script> Вопрос & «ответ»' in flat  # printed as text, not run as markup
    assert "<img src=x onerror=alert(1)> 'да' & \"нет\"" in flat
    assert '<b>Гость</b> "О\'Нил" & Ко' in flat
    assert "Очень длинное выступление о методической работе & «кавычках»." in flat
    # The page shows the same texts escaped.
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page and '<script>alert("x")' not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_a_version_renders_once_and_a_change_renders_again(client, terek):
    meeting = mark_present(terek, new_meeting(terek), 2)
    item(terek, meeting, (2, 0, 0))
    download(client, terek.users.secretary, meeting)
    download(client, terek.users.secretary, meeting)
    assert RenderedDocument.objects.filter(kind="protocol", object_id=meeting.pk).count() == 1
    services.confirm(meeting, terek.users.secretary, meeting.version, timezone.now())
    services.confirm(meeting, terek.users.chair, meeting.version, timezone.now())
    text = text_of(download(client, terek.users.chair, meeting))
    assert "ПРОЕКТ" not in text
    assert list(
        RenderedDocument.objects.filter(kind="protocol", object_id=meeting.pk).values_list("version", flat=True)
    ) == [meeting.version - 2, meeting.version]
    download(client, terek.users.reviewer, meeting)
    assert RenderedDocument.objects.filter(kind="protocol", object_id=meeting.pk).count() == 2


@pytest.mark.parametrize(("role", "status"), [("teacher", 404), ("baksan_methodist", 404), ("outsider", 404)])
def test_the_protocol_is_not_served_to_those_who_cannot_see_the_unit(client, terek, role, status):
    meeting = new_meeting(terek)
    client.force_login(getattr(terek.users, role))
    assert client.get(reverse("meetings:protocol", args=[meeting.pk])).status_code == status
    assert not RenderedDocument.objects.exists()
