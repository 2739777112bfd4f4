"""The content security policy as the browser applies it: no page breaks it, public or admin."""

import pytest
from django.contrib.auth.models import User

from districts.models import District

pytestmark = pytest.mark.browser

LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`
  );
});
"""
PASSWORD = "Sozial-Atlas-Test-2024"


@pytest.fixture
def watched(strict_page):
    """The page with a record of every CSP violation and console error."""
    page = strict_page
    page.add_init_script(LISTEN)
    errors = []

    def console(message):
        # A failed request is recorded with its address below; the browser's own request for
        # /favicon.ico (the admin names no icon) is no fault of a page.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    def response(answer):
        if answer.status >= 400 and not answer.url.endswith("/favicon.ico"):
            errors.append(f"{answer.status} {answer.url}")

    page.on("console", console)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", response)
    page.console_errors = errors
    return page


def problems(page) -> list[str]:
    return page.evaluate("window.__cspViolations") + page.console_errors


def log_in(page, url: str):
    User.objects.create_superuser("chefin", "chefin@example.org", PASSWORD)
    page.goto(url + "/admin/login/")
    page.fill("#id_username", "chefin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


def test_the_map_with_a_chart_keeps_to_the_policy(atlas, watched):
    response = watched.goto(atlas.url + "/?indicator=kinderarmut&sel=11,12&chart=series")
    policy = response.headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    watched.wait_for_selector("#map[data-drawn]")
    watched.wait_for_selector("#chart[data-series].js-plotly-plot")
    watched.hover("#chart .nsewdrag")
    # Saving the chart as PNG draws it through a blob: image.
    with watched.expect_download() as download:
        watched.click("#chart-png")
    assert download.value.suggested_filename.endswith(".png")
    assert problems(watched) == []


def test_a_profile_with_its_chart_keeps_to_the_policy(atlas, watched):
    watched.goto(atlas.url + "/gebiet/statistischer-bezirk/11/?year=2023")
    watched.locator("button[aria-controls='series-kinderarmut']").click()
    watched.wait_for_selector("#series-kinderarmut .js-plotly-plot")
    assert problems(watched) == []


def test_the_fact_sheet_keeps_to_the_policy(atlas, watched):
    response = watched.goto(atlas.url + "/bezirk/1/steckbrief/")
    assert response.status == 200
    watched.wait_for_load_state("networkidle")
    assert problems(watched) == []


def test_the_admin_login_and_index_keep_to_the_policy(atlas, watched):
    response = watched.goto(atlas.url + "/admin/login/")
    assert "nonce" not in response.headers["content-security-policy"]
    log_in(watched, atlas.url)
    watched.goto(atlas.url + "/admin/")
    watched.wait_for_load_state("networkidle")
    assert problems(watched) == []


def test_the_admin_map_of_a_district_runs_under_a_nonce(atlas, watched):
    log_in(watched, atlas.url)
    district = District.objects.get(level__slug="statistischer-bezirk", code="11")
    response = watched.goto(atlas.url + f"/admin/districts/district/{district.pk}/change/")
    assert "'nonce-" in response.headers["content-security-policy"]
    watched.wait_for_selector("#id_boundary-map path")
    watched.goto(atlas.url + "/admin/indicators/release/")
    watched.goto(atlas.url + "/admin/indicators/release/upload/")
    watched.wait_for_load_state("networkidle")
    assert problems(watched) == []
