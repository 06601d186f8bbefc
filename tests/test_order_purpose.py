"""An order's preamble: the portal prints «В целях», the form asks for the rest, an empty one prints nothing."""

import datetime
import importlib
import io
import re

import pypdf
import pytest
from django.apps import apps
from django.urls import reverse

from orders import services
from orders.models import Order, OrderTemplate, preamble, purpose_rest

from . import factories as f
from .test_orders import edit_data

D = datetime.date


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def chair(net):
    person = f.PersonFactory(region=net.region, last_name="Хуранова", first_name="Залина", middle_name="Руслановна")
    f.member(person, net.terek, "chair")
    return person


def pdf_text(client, order) -> str:
    response = client.get(reverse("orders:pdf", args=[order.pk]))
    assert response.status_code == 200
    reader = pypdf.PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    return re.sub(r"\u00ad?\u2010\s*", "", text)  # words hyphenated at a line end, joined again


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("обмена опытом", "обмена опытом"),
        ("В целях обмена опытом", "обмена опытом"),
        ("  в  целях, обмена опытом.", "обмена опытом"),
        ("В ЦЕЛЯХ обмена опытом,", "обмена опытом"),
        ("В целях ", ""),
        ("", ""),
        ("целях обмена", "целях обмена"),
    ],
)
def test_the_rest_of_the_phrase_is_kept_without_a_typed_lead(typed, kept):
    assert purpose_rest(typed) == kept


def test_an_empty_purpose_makes_no_preamble():
    assert preamble("") == "" and preamble("В целях ,") == ""
    assert preamble("обмена опытом") == "В целях обмена опытом"


def test_templates_store_the_rest_and_the_pdf_prints_the_lead_once(net, login, chair):
    order = services.create_order(net.terek, OrderTemplate.APPROVE_COMPOSITION, D(2026, 9, 1), net.users.secretary)
    assert order.purpose == "организации деятельности Терского МунУМО и обновления его состава"
    text = pdf_text(login(net.users.secretary), order)
    assert "В целях организации деятельности Терского МунУМО и обновления его состава ПРИКАЗЫВАЮ:" in text
    assert text.count("В целях") == 1


def test_an_empty_purpose_prints_nothing_dangling(net, login, chair):
    order = services.create_order(
        net.terek, OrderTemplate.FREE, D(2026, 9, 1), net.users.secretary, heading="О проведении семинара"
    )
    assert order.purpose == ""
    client = login(net.users.secretary)
    assert "В целях" not in pdf_text(client, order)
    page = client.get(order.get_absolute_url()).content.decode()
    assert "В целях" not in page.split('class="card order-text"')[1]


def test_the_edit_form_asks_for_the_rest_and_drops_a_typed_lead(net, login, chair):
    order = services.create_order(
        net.terek, OrderTemplate.FREE, D(2026, 9, 1), net.users.secretary, heading="О проведении семинара"
    )
    client = login(net.users.secretary)
    page = client.get(reverse("orders:edit", args=[order.pk])).content.decode()
    assert "В целях (продолжите фразу)" in page
    assert "обеспечения методического сопровождения" in page
    response = client.post(
        reverse("orders:edit", args=[order.pk]), edit_data(order, purpose="В целях обмена опытом педагогов.")
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.purpose == "обмена опытом педагогов"
    assert "В целях обмена опытом педагогов ПРИКАЗЫВАЮ:" in pdf_text(client, order)


def test_the_create_form_asks_for_the_rest(net, login, chair):
    client = login(net.users.secretary)
    url = reverse("orders:create", args=[net.terek.pk]) + "?template=free"
    assert "В целях (продолжите фразу)" in client.get(url).content.decode()
    client.post(
        url,
        {"template": "free", "date": "2026-09-01", "heading": "О семинаре", "purpose": "В целях обмена опытом"},
    )
    assert Order.objects.get(heading="О семинаре").purpose == "обмена опытом"


def test_the_migration_strips_the_lead_from_stored_orders(net, chair):
    order = services.create_order(
        net.terek, OrderTemplate.FREE, D(2026, 9, 1), None, heading="О семинаре", purpose="обмена опытом"
    )
    other = services.create_order(net.terek, OrderTemplate.FREE, D(2026, 9, 2), None, heading="О конкурсе")
    Order.objects.filter(pk=order.pk).update(purpose="В целях обмена опытом,")  # as stored before
    Order.objects.filter(pk=other.pk).update(purpose="повышения качества")
    migration = importlib.import_module("orders.migrations.0002_purpose_without_lead")
    migration.strip_lead(apps, None)
    assert Order.objects.get(pk=order.pk).purpose == "обмена опытом"
    assert Order.objects.get(pk=other.pk).purpose == "повышения качества"
