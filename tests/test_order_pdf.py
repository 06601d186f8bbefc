"""The order as a PDF (ГОСТ Р 7.0.97-2025): requisites in order, Cyrillic intact, A4, and user
text that cannot break out of the template."""

import datetime
import io
import re

import pypdf
import pytest
from django.urls import reverse

from network.models import RenderedDocument
from orders import services
from orders.models import CONTROL_SELF, OrderTemplate

from . import factories as f


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def chair(net):
    person = f.PersonFactory(region=net.region, last_name="Хуранова", first_name="Залина", middle_name="Руслановна")
    f.member(person, net.terek, "chair")
    return person


def pdf_of(client, order) -> pypdf.PdfReader:
    response = client.get(reverse("orders:pdf", args=[order.pk]))
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    return pypdf.PdfReader(io.BytesIO(b"".join(response.streaming_content)))


def text_of(reader) -> str:
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    return re.sub(r"\u00ad?\u2010\s*", "", text)  # words hyphenated at a line end, joined again


def signed_program_order(net, chair):
    order = services.create_order(
        net.terek,
        OrderTemplate.APPROVE_PROGRAM,
        datetime.date(2026, 10, 5),
        net.users.secretary,
        program="Программа поддержки школьных, муниципальных методических объединений",
        place="г. Терек",
    )
    return services.sign_order(order, net.users.secretary, None)


def test_the_order_reads_in_gost_order_with_cyrillic_intact(net, login, chair):
    order = signed_program_order(net, chair)
    reader = pdf_of(login(net.users.secretary), order)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = text_of(reader)
    sequence = [
        "ТЕРСКОЕ МУНУМО",  # the organisation, in capitals
        "ПРИКАЗ",
        "05.10.2026",
        f"№ {order.number}",
        "г. Терек",
        "Об утверждении Программы поддержки школьных, муниципальных методических объединений",
        "В целях совершенствования научно-методического сопровождения",
        "ПРИКАЗЫВАЮ:",
        "1. Утвердить Программу поддержки",
        "2. Утвердить «дорожную карту»",
        "3. Обеспечить выполнение мероприятий",
        "Исполнитель: председатель Терского МунУМО З.Р. Хуранова; срок: в течение срока реализации программы",
        f"4. {CONTROL_SELF}",
        "Председатель Терского МунУМО",
        "З.Р. Хуранова",
        "Исп. Фамилия-secretary",
    ]
    positions = []
    for needle in sequence:
        position = text.find(needle, positions[-1] if positions else 0)
        assert position >= 0, f"{needle!r} is missing or out of order in: {text}"
        positions.append(position)
    assert "ПРОЕКТ" not in text


def test_a_draft_is_marked_and_the_signature_renders_a_new_version(net, login, chair):
    order = services.create_order(
        net.terek, OrderTemplate.APPOINT_CHAIR, datetime.date(2026, 9, 1), net.users.secretary, person=chair
    )
    client = login(net.users.secretary)
    assert "ПРОЕКТ" in text_of(pdf_of(client, order))
    order = services.sign_order(order, net.users.secretary, None)
    assert "ПРОЕКТ" not in text_of(pdf_of(client, order))
    assert sorted(RenderedDocument.objects.filter(kind="order").values_list("version", flat=True)) == [1, 2]


def test_user_text_renders_safely(net, login, chair):
    hostile = '<script>alert("x")</script> & «ёлки» "кавычки" \'одинарные\' <img src="file:///etc/passwd">'
    long_point = ("Провести мониторинг профессиональных дефицитов педагогов & проанализировать результаты. " * 60)[
        :5000
    ]
    order = services.create_order(
        net.terek,
        OrderTemplate.FREE,
        datetime.date(2026, 11, 2),
        net.users.secretary,
        heading=f"О проведении конкурса {hostile}",
        purpose=f"В целях развития {hostile}",
    )
    services.update_order(
        order,
        fields={"place": "г. Терек & <b>окрестности</b>"},
        points=[
            {"text": long_point, "executor": 'Иванова "И.И." <i>', "term": "до 01.12.2026 & далее"},
            {"text": hostile, "executor": "", "term": "в течение года"},
            {"text": CONTROL_SELF},
        ],
        expected_version=order.version,
    )
    reader = pdf_of(login(net.users.secretary), order)
    text = text_of(reader)
    assert len(reader.pages) >= 2
    assert '<script>alert("x")</script>' in text  # printed as text, not run or dropped
    assert "«ёлки»" in text and '"кавычки"' in text and "'одинарные'" in text
    assert "г. Терек & <b>окрестности</b>" in text
    assert text.count("профессиональных дефицитов педагогов &") >= 50
    assert "ПРИКАЗЫВАЮ:" in text and f"3. {CONTROL_SELF}" in text
