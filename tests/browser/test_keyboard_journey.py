"""Keyboard and phone (issue 12): on a phone (390 px) and a desktop (1366 px) the first Tab reaches
«Перейти к содержанию»; on the phone the menu button comes next and opens the menu; on the desktop the menu
is one row. The tree opens on its toggle (Enter) and on a click anywhere on the row.
Screenshots go to test-artifacts/keyboard/."""

import os

import pytest
from playwright.sync_api import expect

from orgunits.access import grant_role
from tests.browser.axe import axe_source, describe, violations
from tests.browser.session import open_logged_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.path.join("test-artifacts", "keyboard")


def log_in(browser, live_server, username, width):
    return open_logged_in(browser, live_server.url, username, PASSWORD, width=width)


def focused(page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {tag: el.tagName, cls: el.className, text: el.textContent.trim(), id: el.id,
                    expanded: el.getAttribute("aria-expanded"), visible: !!el.offsetParent || el.tagName === "MAIN"};
        }"""
    )


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, name), full_page=False)


@pytest.fixture
def busy_admin(net):
    """The login with the longest menu: an administrator who also reviews, with a long name."""
    user = net.users.admin
    user.first_name, user.last_name = "Александра", "Константинопольская-Administratorova"
    user.save()
    grant_role(user, net.rumo, "reviewer")
    return user


def test_phone_skip_link_then_menu_button_opens_the_menu(net, live_server, browser, busy_admin):
    context, page = log_in(browser, live_server, "admin", 390)
    page.keyboard.press("Tab")
    first = focused(page)
    assert "skip-link" in first["cls"] and first["text"] == "Перейти к содержанию"
    expect(page.locator(".skip-link")).to_be_in_viewport()
    shot(page, "390-skip-link.png")

    page.keyboard.press("Tab")
    assert focused(page)["cls"] == "brand"
    page.keyboard.press("Tab")
    button = focused(page)
    assert button["tag"] == "BUTTON" and "menu-button" in button["cls"] and button["expanded"] == "false"
    expect(page.locator("#mainnav")).to_be_hidden()

    page.keyboard.press("Enter")
    expect(page.locator(".menu-button")).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#mainnav")).to_be_visible()
    page.keyboard.press("Tab")
    first_item = focused(page)
    assert first_item["text"] == "Главная" and first_item["visible"]
    shot(page, "390-menu-open.png")
    found = violations(page, axe_source())
    assert not found, describe("меню на телефоне", found)

    page.keyboard.press("Escape")
    expect(page.locator("#mainnav")).to_be_hidden()
    assert "menu-button" in focused(page)["cls"]
    context.close()


def test_skip_link_moves_the_focus_to_the_content(net, live_server, browser):
    context, page = log_in(browser, live_server, "teacher", 1366)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "content"
    page.keyboard.press("Tab")
    # The next stop is inside the page's content, not back in the menu.
    inside = page.evaluate("() => document.getElementById('content').contains(document.activeElement)")
    assert inside
    context.close()


def test_desktop_menu_is_one_row_and_the_more_menu_opens_by_keyboard(net, live_server, browser, busy_admin):
    context, page = log_in(browser, live_server, "admin", 1366)
    expect(page.locator(".menu-button")).to_be_hidden()
    page.keyboard.press("Tab")
    assert "skip-link" in focused(page)["cls"]
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Главная"

    shown = "items => items.filter(li => li.getClientRects().length)"
    tops = page.eval_on_selector_all(
        "#mainnav .navlist > li", shown + ".map(li => Math.round(li.getBoundingClientRect().top))"
    )
    assert len(set(tops)) == 1, f"the menu wraps: rows at {sorted(set(tops))}"
    row = page.eval_on_selector("#mainnav .navlist > li", "li => li.getBoundingClientRect().height")
    nav_height = page.eval_on_selector("#mainnav", "nav => nav.getBoundingClientRect().height")
    assert nav_height <= row + 2, f"the menu is {nav_height}px high, one row is {row}px"
    overflow = page.eval_on_selector("#mainnav", "nav => nav.scrollWidth - nav.clientWidth")
    assert overflow <= 0, f"the menu sticks out by {overflow}px"
    shot(page, "1366-menu.png")

    more = page.get_by_role("button", name="Ещё")
    more.focus()
    page.keyboard.press("Enter")
    expect(more).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#nav-more")).to_be_visible()
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Реестры"
    shot(page, "1366-more-open.png")
    page.keyboard.press("Escape")
    expect(page.locator("#nav-more")).to_be_hidden()
    assert focused(page)["text"] == "Ещё"
    context.close()


def test_tree_opens_by_keyboard_and_by_a_click_on_the_row(net, live_server, browser):
    context, page = log_in(browser, live_server, "methodist", 1366)
    page.get_by_role("link", name="Сеть", exact=True).click()
    terek = page.locator(f"li[data-unit='{net.terek.pk}']")
    toggle = terek.locator(".node-toggle").first
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(terek.get_by_role("link", name=net.terek_rmo.name)).to_be_visible()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(terek.get_by_role("link", name=net.terek_rmo.name)).to_be_hidden()

    # A click on the row (here on its counts) opens it; a click on the name follows the link.
    terek.locator("> .node-row .counts").click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(terek.get_by_role("link", name=net.terek_rmo.name)).to_be_visible()
    shot(page, "1366-tree.png")
    terek.locator("> .node-row a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(net.terek.name)
    context.close()


def test_print_shows_the_list_without_the_menu_and_the_controls(net, live_server, browser):
    context, page = log_in(browser, live_server, "methodist", 1366)
    page.goto(f"{live_server.url}/people/")
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator(".skip-link")).to_be_hidden()
    for form in page.locator("main form").all():
        expect(form).to_be_hidden()
    table = page.locator("main table").first
    expect(table).to_be_visible()
    content_width = page.eval_on_selector("main", "m => m.getBoundingClientRect().width")
    table_width = table.evaluate("t => t.getBoundingClientRect().width")
    assert table_width >= content_width - 2, f"the table is {table_width}px of {content_width}px"
    link = page.locator("main table a").first
    assert link.evaluate("a => getComputedStyle(a).textDecorationLine") == "none"
    os.makedirs(SHOTS, exist_ok=True)
    shot(page, "1366-people-print.png")
    context.close()


@pytest.mark.parametrize("width", [1200, 1280])
def test_the_longest_menu_fits_one_row_down_to_1200_px(net, live_server, browser, busy_admin, width):
    context, page = log_in(browser, live_server, "admin", width)
    expect(page.locator(".menu-button")).to_be_hidden()
    overflow = page.eval_on_selector(".topbar", "bar => bar.scrollWidth - bar.clientWidth")
    assert overflow <= 0, f"the top bar sticks out by {overflow}px at {width}px"
    height = page.eval_on_selector(".topbar", "bar => bar.getBoundingClientRect().height")
    assert height < 60, f"the top bar is {height}px high at {width}px: the menu wraps"
    context.close()
