"""001 §2.2: «Председатель МунУМО формирует и утверждает состав учебно-методического объединения по
согласованию» — the composition order of a municipal unit is agreed with the municipal education authority
before it is signed: проект → на согласовании → согласован (the authority's letter entered) → подписан.
Other orders sign as before."""

import datetime
import io
import re

import pypdf
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from history.models import LogEntry
from orders import services
from orders.models import CONTROL_SELF, OrderAgreement, OrderStatus, OrderTemplate

from . import documents as d
from . import factories as f

D = datetime.date
LETTER = {
    "authority": "Управление образования местной администрации Терского муниципального района",
    "official_name": "Кумыкова Л. А.",
    "official_position": "Начальник Управления образования",
    "letter_number": "01-12/345",
    "letter_date": D(2026, 9, 10),
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def chair(net):
    person = f.PersonFactory(region=net.region, last_name="Хуранова", first_name="Залина", middle_name="Руслановна")
    f.member(person, net.terek, "chair")
    return person


@pytest.fixture
def composition(net, chair):
    """A ready composition order of the Terek МунУМО (municipal level): its text would be signable."""
    return services.create_order(net.terek, OrderTemplate.APPROVE_COMPOSITION, D(2026, 9, 1), net.users.secretary)


SEPT_15 = D(2026, 9, 15)


def when(day=SEPT_15):
    return datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC)


def agreed(order, by):
    services.send_for_agreement(order, by, now=when())
    return services.record_agreement(order, by, now=when(), **LETTER)


def test_a_municipal_composition_order_is_not_signed_without_the_agreement(net, composition):
    """001 §2.2 «по согласованию»: the engine refuses the signature, in Russian, naming the clause."""
    assert services.needs_agreement(composition)
    with pytest.raises(ValidationError) as exc:
        services.sign_order(composition, net.users.secretary, when())
    assert "по согласованию с органом управления образованием" in " ".join(exc.value.messages)
    assert "п. 2.2" in " ".join(exc.value.messages)
    composition.refresh_from_db()
    assert composition.status == OrderStatus.DRAFT


def test_on_agreement_the_order_is_still_not_signable_and_its_text_is_frozen(net, composition):
    """001 §2.2: the text sent to the authority is the text agreed — no edits while it is there."""
    services.send_for_agreement(composition, net.users.secretary, now=when())
    composition.refresh_from_db()
    assert composition.status == OrderStatus.AGREEMENT
    with pytest.raises(ValidationError):
        services.sign_order(composition, net.users.secretary, when())
    with pytest.raises(ValidationError, match="на согласование"):
        services.update_order(composition, fields={"heading": "Иное"}, points=[], expected_version=composition.version)


def test_the_recorded_agreement_makes_the_order_signable_with_history(net, composition):
    """001 §2.2: draft → на согласовании → согласован (letter, official, date) → подписан, each move logged."""
    order = agreed(composition, net.users.secretary)
    assert order.status == OrderStatus.AGREED
    agreement = services.current_agreement(order)
    assert (agreement.letter_number, agreement.letter_date, agreement.recorded_by) == (
        "01-12/345",
        D(2026, 9, 10),
        net.users.secretary,
    )
    order = services.sign_order(order, net.users.secretary, when(D(2026, 9, 16)))
    assert order.status == OrderStatus.SIGNED
    moves = list(
        LogEntry.objects.filter(object_id=order.pk, action=LogEntry.Action.TRANSITION)
        .order_by("pk")
        .values_list("move", flat=True)
    )
    assert moves[-3:] == ["send_for_agreement", "record_agreement", "sign"]
    entry = LogEntry.objects.get(object_id=order.pk, move="record_agreement")
    assert "01-12/345" in entry.reason and "Кумыкова" in entry.reason


def test_the_agreement_needs_the_letter_requisites(net, composition):
    """001 §2.2: an agreement is a document — who agreed, the letter's number and date are required."""
    services.send_for_agreement(composition, net.users.secretary, now=when())
    with pytest.raises(ValidationError) as exc:
        services.record_agreement(composition, net.users.secretary, now=when(), **{**LETTER, "letter_number": " "})
    assert "letter_number" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.record_agreement(
            composition, net.users.secretary, now=when(), **{**LETTER, "letter_date": D(2026, 9, 20)}
        )
    assert "letter_date" in exc.value.message_dict
    assert not OrderAgreement.objects.exists()


def test_returning_to_draft_withdraws_the_agreement(net, composition):
    """001 §2.2: a changed composition is agreed anew — the old letter no longer covers it."""
    order = agreed(composition, net.users.secretary)
    with pytest.raises(ValidationError):
        services.return_to_draft(order, net.users.secretary, "")
    order = services.return_to_draft(order, net.users.secretary, "Замечание управления: добавить секретаря.")
    assert order.status == OrderStatus.DRAFT and services.current_agreement(order) is None
    withdrawn = OrderAgreement.objects.get(order=order)
    assert withdrawn.withdrawn_reason.startswith("Замечание управления")
    with pytest.raises(ValidationError, match="п. 2.2"):
        services.sign_order(order, net.users.secretary, when())


def test_other_orders_sign_as_before(net, chair):
    """001 §2.2 names the composition only: a free order, and a composition of a school MO, sign at once."""
    free = services.create_order(net.terek, OrderTemplate.FREE, D(2026, 9, 1), None, heading="О семинаре")
    services.update_order(
        free, fields={}, points=[{"text": "Провести семинар."}, {"text": CONTROL_SELF}], expected_version=free.version
    )
    assert services.sign_order(free, net.users.secretary, when()).status == OrderStatus.SIGNED
    with pytest.raises(ValidationError, match="не требует"):
        services.send_for_agreement(
            services.create_order(net.terek, OrderTemplate.FREE, D(2026, 9, 2), None, heading="Другой"),
            net.users.secretary,
        )
    head = f.PersonFactory(region=net.region)
    f.member(head, net.shmo, "chair")
    shmo = services.create_order(net.shmo, OrderTemplate.APPROVE_COMPOSITION, D(2026, 9, 1), None)
    assert not services.needs_agreement(shmo)
    assert services.sign_order(shmo, None, when()).status == OrderStatus.SIGNED


def test_only_those_who_keep_the_units_records_record_the_agreement(net, composition, login):
    """001 §2.2 (the secretary or chair who received the letter enters it): others get 403 / 404."""
    services.send_for_agreement(composition, net.users.secretary, now=when())
    with pytest.raises(PermissionDenied):
        services.record_agreement(composition, net.users.reviewer, now=when(), **LETTER)
    url = reverse("orders:agreement", args=[composition.pk])
    assert login(net.users.reviewer).get(url).status_code == 403
    assert login(net.users.outsider).get(url).status_code == 404


def test_the_pages_lead_through_the_agreement_and_the_pdf_prints_it(net, composition, login):
    """001 §2.2 in the order's pages and print: «СОГЛАСОВАНО: <орган>, письмо № … от …» below the signature."""
    client = login(net.users.secretary)
    page = client.get(composition.get_absolute_url()).content.decode()
    assert "Направить на согласование" in page and reverse("orders:sign", args=[composition.pk]) not in page
    response = client.post(reverse("orders:send_for_agreement", args=[composition.pk]))
    assert response.status_code == 302
    page = client.get(composition.get_absolute_url()).content.decode()
    assert reverse("orders:agreement", args=[composition.pk]) in page
    scan = SimpleUploadedFile("pismo.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    data = {**LETTER, "letter_date": "10.09.2026", "scan": scan}
    response = client.post(reverse("orders:agreement", args=[composition.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    composition.refresh_from_db()
    assert composition.status == OrderStatus.AGREED
    assert client.get(reverse("orders:agreement_scan", args=[composition.pk])).status_code == 200
    assert "Согласование внесено" in d.message_texts(response)
    assert client.post(reverse("orders:sign", args=[composition.pk])).status_code == 302
    composition.refresh_from_db()
    assert composition.status == OrderStatus.SIGNED
    response = client.get(reverse("orders:pdf", args=[composition.pk]))
    reader = pypdf.PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = re.sub(r"\u00ad?\u2010\s*", "", " ".join(" ".join(p.extract_text() for p in reader.pages).split()))
    assert "СОГЛАСОВАНО: Управление образования местной администрации Терского муниципального района" in text
    assert "письмо № 01-12/345 от 10.09.2026" in text
    assert login(net.users.outsider).get(reverse("orders:agreement_scan", args=[composition.pk])).status_code == 404
    # The mark follows the signature (ГОСТ Р 7.0.97: the agreement mark stands below it).
    assert text.index("Хуранова") < text.index("СОГЛАСОВАНО") or text.index("З. Р. Хуранова") < text.index(
        "СОГЛАСОВАНО"
    )
