"""The Content-Security-Policy: on every page, without 'unsafe-inline', and pages that need no inline code.

Three layers: the header itself; every template of the portal free of inline handlers, inline scripts and
style attributes (a static scan, so a template no test renders is covered too); and real pages, rendered
with data, free of them as well (which also covers HTML written by libraries and Python code).
"""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from growth.models import Route
from orders import services as order_services
from orders.models import OrderTemplate

from . import documents as d
from . import meetings_helpers as mh
from .test_monitoring_rules import YEAR, make_campaign, make_set, teachers

ROOT = Path(settings.BASE_DIR)

# What a policy without 'unsafe-inline' refuses to run or apply, as it appears in markup.
INLINE = {
    "inline event handler": re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "inline <script> code": re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE),
    "<style> element": re.compile(r"<style\b", re.IGNORECASE),
    "style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "htmx hx-on (inline code)": re.compile(r"\shx-on[:\-=]", re.IGNORECASE),
    "htmx js: expression (eval)": re.compile(r"""hx-(vals|vars|headers)\s*=\s*['"]\s*(js|javascript):""", re.I),
}
DJANGO_COMMENT = re.compile(r"{#.*?#}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.DOTALL)


def inline_code(html: str) -> list[str]:
    return [f"{name}: {m.group(0)[:120]!r}" for name, pattern in INLINE.items() for m in pattern.finditer(html)]


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def assert_strict_policy(response):
    assert "Content-Security-Policy" in response, response.request["PATH_INFO"]
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header, header
    directives = policy(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]


# -- the header ----------------------------------------------------------------------------------


def test_the_login_page_carries_the_policy(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert_strict_policy(response)


def test_pages_of_a_logged_in_user_carry_the_policy(net, login):
    client = login(net.users.admin)
    for url in ("/", "/people/", "/tree/", "/schools/", "/no-such-page/", "/people/?q=%00"):
        response = client.get(url)
        assert response.status_code in (200, 400, 404), url
        assert_strict_policy(response)


def test_an_htmx_fragment_carries_the_policy(net, login):
    client = login(net.users.admin)
    response = client.get(reverse("orgunits:tree_children", args=[net.rumo.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert_strict_policy(response)


def test_a_pdf_goes_without_the_policy_so_the_browser_viewer_can_show_it(net, login):
    plan = d.plan(net)
    d.item(plan)
    response = login(net.users.secretary).get(reverse("submissions:pdf", args=[plan.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "Content-Security-Policy" not in response


# -- the templates -------------------------------------------------------------------------------


def portal_templates() -> list[Path]:
    dirs = [p for p in ROOT.glob("*/templates") if p.parent.name != ".venv"]
    return sorted(path for folder in dirs for path in folder.rglob("*.html"))


def printed_by_weasyprint(path: Path, text: str) -> bool:
    """The PDF base and the documents built on it are rendered to PDF on the server, never by a browser."""
    base = ROOT / "network" / "templates" / "pdf" / "document.html"
    return path == base or '{% extends "pdf/document.html" %}' in text


def test_the_scan_finds_what_it_looks_for():
    samples = [
        """<form onsubmit="return confirm('?')">""",
        '<button type="button" onclick="window.print()">',
        "<script>alert(1)</script>",
        "<style>p{}</style>",
        '<span class="bar" style="width: 5%">',
        '<a href="javascript:void(0)">',
        '<div hx-on:click="x()">',
        """<div hx-vals='js:{a: 1}'>""",
    ]
    for sample in samples:
        assert inline_code(sample), sample
    allowed = '<script src="/static/js/metodset.js" defer></script><form data-confirm="Удалить?" action="/x/">'
    assert inline_code(allowed) == []


def test_no_template_has_inline_code_or_styles():
    templates = portal_templates()
    assert len(templates) > 100  # the scan really walks the portal's templates
    found = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        if printed_by_weasyprint(path, text):
            continue
        found += [f"{path.relative_to(ROOT)}: {hit}" for hit in inline_code(DJANGO_COMMENT.sub("", text))]
    assert found == [], "\n".join(found)


def test_the_static_scripts_use_no_eval():
    scripts = list((ROOT / "network" / "static" / "js").glob("*.js"))
    assert scripts
    for path in scripts:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\beval\s*\(|new\s+Function\s*\(|setTimeout\s*\(\s*['\"]", text), path.name


# -- real pages ----------------------------------------------------------------------------------


def assert_clean_page(response):
    assert response.status_code == 200, response.request["PATH_INFO"]
    assert_strict_policy(response)
    html = response.content.decode()
    assert inline_code(html) == [], response.request["PATH_INFO"]
    # Scripts and stylesheets come from the portal itself, never from elsewhere.
    for url in re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]*)"', html):
        assert url.startswith("/") and not url.startswith("//"), url
    return html


def test_the_main_pages_render_without_inline_code(net, login):
    client = login(net.users.admin)
    urls = [
        "/",
        reverse("orgunits:tree"),
        reverse("orgunits:unit", args=[net.terek.pk]),
        reverse("people:list"),
        reverse("people:person", args=[net.users.teacher_person.pk]),
        reverse("orgunits:schools"),
        reverse("submissions:campaigns"),
        reverse("submissions:inbox"),
        reverse("orders:register"),
        reverse("events:list"),
        reverse("growth:my_surveys"),
        reverse("monitoring:campaigns"),
        reverse("practices:bank"),
        reverse("registers:list"),
        reverse("notifications"),
    ]
    for url in urls:
        html = assert_clean_page(client.get(url))
        # htmx is told not to inject its own styles nor to evaluate code (base.html).
        assert '"includeIndicatorStyles": false' in html
        assert "/static/js/metodset.js" in html


def test_delete_buttons_ask_through_data_confirm(net, login):
    plan = d.plan(net)
    d.item(plan)
    html = assert_clean_page(login(net.users.secretary).get(reverse("plans:edit", args=[plan.pk])))
    assert 'data-confirm="Удалить пункт плана?"' in html

    meeting = mh.new_meeting(net)
    mh.item(net, meeting)
    html = assert_clean_page(login(net.users.secretary).get(meeting.get_absolute_url()))
    assert 'data-confirm="Удалить вопрос из повестки?"' in html


def test_a_document_page_with_its_header_renders_without_inline_code(net, login):
    plan = d.plan(net)
    assert_clean_page(login(net.users.secretary).get(reverse("submissions:submission", args=[plan.pk])))


def test_the_monitoring_bars_are_drawn_by_classes(net, login):
    indicator_set = make_set(net.region, ("routes", "routes", {}, {"short_name": "ИОМ"}))
    people = teachers(net.region, net.terek_rmo, 4)
    Route.objects.create(person=people[0], year=YEAR, goals="ИОМ")
    campaign = make_campaign(indicator_set, net.terek, today=datetime.date.today())
    html = assert_clean_page(login(net.users.admin).get(reverse("monitoring:campaign", args=[campaign.pk])))
    widths = [int(w) for w in re.findall(r'class="s[210n] pct-(\d+)"', html)]
    assert widths and all(0 <= w <= 100 for w in widths)
    assert 99 <= sum(widths) <= 101  # one indicator's segments fill its bar


def test_the_order_form_renders_without_inline_code(net, login):
    order = order_services.create_order(
        net.terek, OrderTemplate.FREE, datetime.date(2026, 9, 1), None, heading="О проведении семинара"
    )
    html = assert_clean_page(login(net.users.secretary).get(reverse("orders:edit", args=[order.pk])))
    assert 'class="col-wide"' in html


@pytest.mark.parametrize("path", ["js/metodset.js", "css/metodset.css"])
def test_the_static_files_are_served_by_the_portal(client, db, path):
    from django.contrib.staticfiles import finders

    assert finders.find(path)
