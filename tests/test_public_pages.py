"""The open pages of a region's network (issue 13, «Openness»).

001 §1.3: «МунУМО осуществляет свою деятельность на принципах … гласности принимаемых решений.»
A region publishes, kind by kind (Region.published), its structure with the chairs, approved plans and
reports, confirmed protocols, signed orders, the calendar and the bank of practices on pages an anonymous
visitor reads without logging in; drafts, documents on approval or returned, unconfirmed protocols,
unsigned orders, another region's units and a region that publishes nothing answer 404. No personal
data beyond the names and positions of officials: no e-mail, no phone.
"""

import datetime
import re
from collections import deque
from urllib.parse import urlsplit

from django.urls import reverse

from meetings.models import Meeting
from orders import services as order_services
from orders.models import OrderStatus, OrderTemplate
from orgunits.models import Publication, Region
from people.models import PersonalDataAccess
from submissions.models import State, Submission

from . import documents as d
from . import factories as f
from . import meetings_helpers as mh
from .test_practices import new_dev, published

ALL = list(Publication.values)
PHONE = re.compile(r"(?:\+7|\b8)[\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}\b")


def publish(region, *codes):
    region.published = list(codes)
    region.save(update_fields=["published"])


def approved_plan(net, unit=None, activity="Семинар по обновлённым ФГОС"):
    """Through the real workflow for the Terek МунУМО; for another unit the row is written as it ends up."""
    if unit is None:
        plan = d.plan(net)
        d.item(plan, activity=activity)
        return d.approve(plan, net)
    plan = Submission.objects.create(campaign=d.campaign(net), unit=unit, approver=net.rumo, state=State.APPROVED)
    d.item(plan, activity=activity)
    return plan


def signed_order(net, heading="О проведении муниципального семинара"):
    order = order_services.create_order(net.terek, OrderTemplate.FREE, datetime.date(2026, 9, 1), None, heading=heading)
    order.executor_phone = "+7 (866) 555-12-34"
    order.save()
    from orders.models import Order

    Order.objects.filter(pk=order.pk).update(status=OrderStatus.SIGNED)
    order.refresh_from_db()
    return order


# -- a region shows only what it publishes (001 §1.3) ----------------------------------------------


def test_a_region_that_publishes_nothing_answers_404(net, client):
    """001 §1.3 is the region's to apply: with nothing published there is no open portal at all."""
    publish(net.region)
    assert client.get(reverse("public:region", args=["kbr"])).status_code == 404
    assert client.get(reverse("public:unit", args=["kbr", net.terek.pk])).status_code == 404
    assert client.get(reverse("public:region", args=["nowhere"])).status_code == 404


def test_the_open_portal_needs_no_login_and_lists_the_published_sections(net, client):
    """001 §1.3 (гласность): an anonymous visitor reads the region's page; it lists what is published."""
    publish(net.region, "structure", "plans")
    response = client.get(reverse("public:region", args=["kbr"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Планы работы" in page and "Протоколы заседаний" not in page
    assert net.terek.name in page  # the structure


def test_structure_shows_chairs_with_name_and_position_only(net, client):
    """001 §1.3: the structure of units with their chairs — the name and the position of an official,
    never their e-mail or phone."""
    mh.add_chair(net)
    person = net.users.chair_person
    person.position = "директор МКУ «Управление образования»"
    person.email = "chair@example.ru"
    person.phone = "+7 (866) 555-12-34"
    person.save()
    publish(net.region, "structure")
    for url in (reverse("public:region", args=["kbr"]), reverse("public:unit", args=["kbr", net.terek.pk])):
        page = client.get(url).content.decode()
        assert "Председателева Анна Борисовна" in page and "директор МКУ" in page
        assert "chair@example.ru" not in page and "555-12-34" not in page
    assert not PersonalDataAccess.objects.exists()  # an open page is not a read of a person's card


def test_structure_not_published_hides_the_tree_and_the_chair(net, client):
    """The structure is a kind of its own (Publication.STRUCTURE): without it, no tree and no chairs."""
    mh.add_chair(net)
    publish(net.region, "plans")
    page = client.get(reverse("public:region", args=["kbr"])).content.decode()
    assert net.baksan.name not in page
    page = client.get(reverse("public:unit", args=["kbr", net.terek.pk])).content.decode()
    assert "Председателева" not in page


def test_a_unit_of_another_region_under_this_code_is_404(net, client):
    """A region's open pages are of its own network only."""
    other = f.RegionFactory(code="bur", name="Республика Бурятия", published=ALL)
    foreign = f.unit(other, net.kinds["rumo"], name="РУМО Бурятии")
    publish(net.region, *ALL)
    assert client.get(reverse("public:unit", args=["kbr", foreign.pk])).status_code == 404
    assert client.get(reverse("public:unit_feed", args=["kbr", foreign.pk])).status_code == 404
    assert client.get(reverse("public:unit", args=["bur", foreign.pk])).status_code == 200


# -- documents: approved only -----------------------------------------------------------------------


def test_an_approved_plan_is_open_a_draft_is_not(net, client):
    """001 §1.3: approved plans are public; a draft, a plan on approval and a returned one are not (404)."""
    publish(net.region, "plans")
    plan = approved_plan(net, activity="Открытый семинар для молодых педагогов")
    draft = d.plan(net, net.baksan)
    d.item(draft, activity="Черновой пункт плана")
    page = client.get(reverse("public:plans", args=["kbr"])).content.decode()
    assert net.terek.name in page and net.baksan.name not in page
    response = client.get(reverse("public:document", args=["kbr", plan.pk]))
    assert response.status_code == 200 and "Открытый семинар для молодых педагогов" in response.content.decode()
    assert client.get(reverse("public:document", args=["kbr", draft.pk])).status_code == 404
    for state in (State.SUBMITTED, State.RETURNED):
        Submission.objects.filter(pk=draft.pk).update(state=state)
        assert client.get(reverse("public:document", args=["kbr", draft.pk])).status_code == 404


def test_plans_not_published_answer_404_even_when_approved(net, client):
    """Each kind is the region's choice: reports published, plans not → the approved plan is 404."""
    publish(net.region, "reports")
    plan = approved_plan(net)
    assert client.get(reverse("public:plans", args=["kbr"])).status_code == 404
    assert client.get(reverse("public:document", args=["kbr", plan.pk])).status_code == 404


def test_an_approved_report_is_open_under_reports_only(net, client):
    """001 §1.3: approved reports are public when the region publishes reports."""
    publish(net.region, "reports")
    report = d.approve(d.report(net), net)
    assert client.get(reverse("public:document", args=["kbr", report.pk])).status_code == 200
    page = client.get(reverse("public:reports", args=["kbr"])).content.decode()
    assert reverse("public:document", args=["kbr", report.pk]) in page


def test_the_list_narrows_to_a_unit(net, client):
    publish(net.region, "plans")
    approved_plan(net)
    approved_plan(net, net.baksan)
    page = client.get(reverse("public:plans", args=["kbr"]), {"unit": net.baksan.pk}).content.decode()
    assert net.baksan.name in page and net.terek.name not in page.split("<table")[1]


# -- protocols, orders ------------------------------------------------------------------------------


def test_a_confirmed_protocol_is_open_a_draft_is_not(net, client):
    """001 §1.3: the decisions (ПОСТАНОВИЛИ) of a confirmed protocol are public; a protocol not yet
    confirmed by the chair and the secretary is 404. Members' names (the attendance list) are not shown."""
    mh.add_chair(net)
    publish(net.region, "protocols")
    meeting = mh.confirmed_meeting(net)
    draft = mh.new_meeting(net, day=datetime.date(2026, 12, 1))
    response = client.get(reverse("public:protocol", args=["kbr", meeting.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and "Утвердить план работы." in page
    assert "Присутствовали" in page and "6 из" in page
    member = meeting.attendance.exclude(person__in=[meeting.chair_id, meeting.secretary_id]).first().person
    assert member.last_name not in page
    assert client.get(reverse("public:protocol", args=["kbr", draft.pk])).status_code == 404
    listing = client.get(reverse("public:protocols", args=["kbr"])).content.decode()
    assert (
        f"Протокол № {meeting.number}" in listing and reverse("public:protocol", args=["kbr", draft.pk]) not in listing
    )


def test_a_signed_order_is_open_without_the_executors_phone(net, client):
    """001 §1.3: signed orders are public; a draft order is 404; the executor's phone is never shown."""
    publish(net.region, "orders")
    order = signed_order(net)
    draft = order_services.create_order(
        net.terek, OrderTemplate.FREE, datetime.date(2026, 9, 2), None, heading="О проекте приказа"
    )
    response = client.get(reverse("public:order", args=["kbr", order.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and "О проведении муниципального семинара" in page
    assert "555-12-34" not in page
    assert client.get(reverse("public:order", args=["kbr", draft.pk])).status_code == 404
    assert "О проекте приказа" not in client.get(reverse("public:orders", args=["kbr"])).content.decode()


# -- calendar, practices ----------------------------------------------------------------------------


def test_the_calendar_shows_meetings_and_events_of_the_month(net, client):
    """Issue 13: the calendar of meetings and events is public when the region publishes it."""
    from events.models import Event

    publish(net.region, "calendar")
    mh.new_meeting(net, day=datetime.date(2026, 11, 20), time=datetime.time(15, 0))
    Event.objects.create(unit=net.baksan, title="Фестиваль открытых уроков", starts_on=datetime.date(2026, 11, 25))
    page = client.get(reverse("public:calendar", args=["kbr"]), {"month": "2026-11"}).content.decode()
    assert "20.11.2026, 15:00" in page and "Фестиваль открытых уроков" in page
    assert (
        "Фестиваль" not in client.get(reverse("public:calendar", args=["kbr"]), {"month": "2026-12"}).content.decode()
    )
    publish(net.region, "plans")
    assert client.get(reverse("public:calendar", args=["kbr"])).status_code == 404


def test_the_bank_shows_published_practices_only(net, client):
    """Issue 13: the bank of practices — published developments only; the author is not named."""
    publish(net.region, "practices")
    shown = published(net, title="Дроби в 5 классе")
    hidden = new_dev(net, title="Черновик разработки")
    page = client.get(reverse("public:practices", args=["kbr"])).content.decode()
    assert "Дроби в 5 классе" in page and "Черновик разработки" not in page
    response = client.get(reverse("public:practice", args=["kbr", shown.pk]))
    assert response.status_code == 200 and shown.author.last_name not in response.content.decode()
    assert client.get(reverse("public:practice", args=["kbr", hidden.pk])).status_code == 404


# -- the whole open portal of a demo-like tree -------------------------------------------------------


def crawl(client, start: str, limit: int = 400) -> dict[str, str]:
    """Every HTML page reachable from `start` under the same prefix: URL → content."""
    prefix = start
    seen, pages, queue = {start}, {}, deque([start])
    while queue and len(pages) < limit:
        url = queue.popleft()
        response = client.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        if not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        pages[url] = html
        for href in re.findall(r'href="([^"]+)"', html):
            href = href.replace("&amp;", "&")
            path = urlsplit(href).path
            if href.startswith("?"):
                href = urlsplit(url).path + href
            elif not path.startswith(prefix) or path.endswith((".ics", "/pdf/", "/file/")):
                continue
            if href not in seen:
                seen.add(href)
                queue.append(href)
    return pages


def test_no_open_page_of_the_demo_network_shows_an_email_or_a_phone(db, client, settings, tmp_path):
    """001 §1.3 and 152-ФЗ: the open portal of the demo КБР (every kind published), crawled from
    /open/kbr/ link by link, shows no e-mail address and no phone number, and logs no read of a person."""
    from demo.orgunits import load_demo

    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo(datetime.date(2026, 11, 24))
    # The demo КБР publishes every kind (so `make run` shows /open/kbr/); the other demo regions nothing.
    assert sorted(Region.objects.get(code="kbr").published) == sorted(ALL)
    assert not Region.objects.filter(code="bur").get().published
    pages = crawl(client, "/open/kbr/")
    assert len(pages) > 20
    kinds = {urlsplit(u).path.split("/")[3] for u in pages if len(urlsplit(u).path.split("/")) > 4}
    assert {"units", "plans", "protocols", "orders", "calendar", "practices"} <= kinds, kinds
    for url, html in pages.items():
        body = html.split('id="content"', 1)[1]
        assert "@" not in body, f"{url} shows an e-mail"
        assert not PHONE.search(body), f"{url} shows a phone: {PHONE.search(body).group(0)}"
    assert not PersonalDataAccess.objects.exists()


# -- query counts ------------------------------------------------------------------------------------


def test_open_pages_run_a_bounded_number_of_queries(net, client, django_assert_max_num_queries):
    """Lists of a region with many units stay at a fixed number of queries (paginated)."""
    publish(net.region, *ALL)
    mh.add_chair(net)
    for n in range(8):
        unit = f.unit(net.region, net.kinds["rmo"], net.terek, name=f"РМО № {n}")
        approved_plan(net, unit)
        Meeting.objects.create(unit=unit, year=2026, number=1, date=datetime.date(2026, 11, 10 + n))
    now = mh.moment(datetime.date(2026, 11, 30))
    Meeting.objects.update(status=Meeting.Status.CONFIRMED, chair_confirmed_at=now, secretary_confirmed_at=now)
    urls = [
        reverse("public:region", args=["kbr"]),
        reverse("public:unit", args=["kbr", net.terek.pk]),
        reverse("public:plans", args=["kbr"]),
        reverse("public:protocols", args=["kbr"]),
        reverse("public:orders", args=["kbr"]),
        reverse("public:calendar", args=["kbr"]) + "?month=2026-11",
        reverse("public:practices", args=["kbr"]),
        reverse("public:unit_feed", args=["kbr", net.terek.pk]),
    ]
    for url in urls:
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200


def test_the_index_lists_the_regions_that_publish(net, client):
    """/open/ (the «Открытые данные» link of the login page): only regions that publish anything."""
    f.RegionFactory(code="bur", name="Республика Бурятия")
    publish(net.region, "plans")
    page = client.get(reverse("public:index")).content.decode()
    assert reverse("public:region", args=["kbr"]) in page and "Бурятия" not in page


def test_an_approved_plan_prints_as_pdf_a_draft_does_not(net, client):
    """001 §1.3: the approved plan is public in the same PDF the portal prints; a draft's PDF is 404."""
    publish(net.region, "plans")
    plan = approved_plan(net)
    draft = approved_plan(net, net.baksan)
    Submission.objects.filter(pk=draft.pk).update(state=State.DRAFT)
    response = client.get(reverse("public:document_pdf", args=["kbr", plan.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client.get(reverse("public:document_pdf", args=["kbr", draft.pk])).status_code == 404
