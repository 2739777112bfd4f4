"""The fact sheet as paper: what the PDF says, and that a screen reader can follow it."""

import io
import re

import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.django_db

NAVIGATION = (
    "Offene Daten: Downloads und Lizenz",
    "OGC API",
    "Programmierschnittstelle",
    "Erklärung zur Barrierefreiheit",
    "Zum Inhalt springen",
    "PDF herunterladen",
    "Karte des Stadtbezirks",
)


def pdf_of(client, code="2", **params) -> PdfReader:
    response = client.get(f"/bezirk/{code}/steckbrief.pdf", {"year": 2024, **params})
    assert response.status_code == 200
    return PdfReader(io.BytesIO(response.content))


def text_of(reader: PdfReader) -> str:
    return " ".join(page.extract_text() for page in reader.pages)


def test_the_pdf_prints_no_address_and_no_navigation(client):
    text = text_of(pdf_of(client))
    assert "Steckbrief Stadtbezirk Süd 2024" in text
    assert "http://" not in text and "testserver" not in text
    assert [words for words in NAVIGATION if words in text] == []


def test_the_pdf_is_tagged_for_screen_readers(client):
    catalog = pdf_of(client).trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert catalog["/Lang"] == "de"
    kinds = set()

    def walk(element):
        element = element.get_object()
        kinds.add(element.get("/S"))
        kids = element.get("/K", [])
        for kid in kids if isinstance(kids, list) else [kids]:
            if hasattr(kid, "get_object") and isinstance(kid.get_object(), dict):
                walk(kid)

    walk(catalog["/StructTreeRoot"])
    assert {"/H1", "/H2", "/Table", "/TH", "/TD", "/Figure"} <= kinds


GERMAN = (
    "Quelle",
    "Lizenz",
    "Stadtbezirk",
    "Kennzahl",
    "vorläufig",
    "Demodaten",
    "Lesehilfe",
    "veröffentlicht",
    "Dezember",
    "Männer",
    "Erstellt",
    "Datenstand",
    "seit",
)


def test_the_english_pdf_has_no_german_words_and_unambiguous_dates(client):
    text = text_of(pdf_of(client, lang="en"))
    assert "Fact sheet" in text and "Licence of the data" in text
    assert [word for word in GERMAN if word in text] == []
    assert re.search(r"Created on \d{1,2} [A-Z][a-z]{2} \d{4}\.", text)
