"""The public pages are valid HTML, in German and in English, as the Nu HTML Checker sees it."""

import pytest

from ..htmlcheck import described, html_errors

pytestmark = pytest.mark.django_db

PAGES = {
    "karte": "/",
    "gebietsprofil": "/gebiet/statistischer-bezirk/11/",
    "stadtbezirk": "/bezirk/2/",
    "steckbrief": "/bezirk/2/steckbrief/",
    "daten": "/daten/",
    "berichte": "/berichte/",
    "bezirksbericht": "/berichte/bezirksbericht-sued-2024-demo/",
    "vorausberechnung": "/vorausberechnung/",
    "vorausberechnung-genauigkeit": "/vorausberechnung/genauigkeit/",
    "vorausberechnung-methode": "/vorausberechnung/methode/",
    "ogcapi-api": "/ogcapi/api?f=html",
    "ogcapi-abfragbar": "/ogcapi/collections/stadtbezirk/queryables?f=html",
}

# A duplicate id, as a template can make by accident: the checker must find it, or it is not
# checking anything.
BROKEN = '<!DOCTYPE html><html lang="de"><title>x</title><p id="a">1</p><p id="a">2</p></html>'


def rendered(client, url: str, language: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert f'<html lang="{language}"' in html, f"{url} is not in {language}"
    return html


def test_the_public_pages_are_valid_html_in_both_languages(client, tmp_path):
    pages = []
    for name, url in PAGES.items():
        for language in ("de", "en"):
            path = tmp_path / f"{name}-{language}.html"
            path.write_text(rendered(client, url, language), encoding="utf-8")
            pages.append(path)
    broken = tmp_path / "broken.html"
    broken.write_text(BROKEN, encoding="utf-8")
    found = html_errors([*pages, broken])
    assert found.pop(broken), "the checker found no error in a page that has one"
    errors = [described(path, message) for path, messages in found.items() for message in messages]
    assert not errors, "\n".join(errors)
