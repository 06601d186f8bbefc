"""Logging in as a demo user in the journeys: one way for every journey."""

from playwright.sync_api import expect


def submit_login(page, base_url, username, password):
    """Fill the login form on `page` and send it (the page lands where the portal sends it)."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def open_logged_in(browser, base_url, username, password, width=1366, height=900, timeout=15_000):
    """A new browser context (Russian locale, the given viewport) logged in as `username`, on its home
    page: (context, page)."""
    context = browser.new_context(locale="ru-RU", viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(timeout)
    submit_login(page, base_url, username, password)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Здравствуйте")
    return context, page
