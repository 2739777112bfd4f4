"""The catalogue under /daten/dcat.jsonld checked with the DCAT-AP.de shapes of GovData.

Two profiles of GovData's validator (tests/data/dcat-ap-de/README.md): the current
specification, DCAT-AP.de 3.0, and DCAT-AP.de 2.0 with the conventions for delivering to
GovData (contributor, licence and format vocabularies, recommended properties). Like that
validator, the data graph holds the catalogue and the vocabularies the shapes import.
"""

import json
from collections import Counter
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import RDF, Graph, Namespace

pytestmark = pytest.mark.django_db

SHAPES = Path(__file__).parent.parent / "data" / "dcat-ap-de"
SH = Namespace("http://www.w3.org/ns/shacl#")
PROFILES = {
    "3.0": [
        "v3.0/dcat-ap-SHACL.ttl",
        "v3.0/dcat-ap-SHACL-DE.ttl",
        "v3.0/dcat-ap-de-deprecated.ttl",
        "v3.0/dcat-ap-spec-german-additions.ttl",
        "v3.0/dcat-ap-de-controlledvocabularies.ttl",
    ],
    "2.0 with the GovData conventions": [
        "v2.0/dcat-ap_2.1.1_shacl_shapes.ttl",
        "v2.0/dcat-ap-spec-german-messages.ttl",
        "v2.0/dcat-ap-spec-german-additions.ttl",
        "v2.0/dcat-ap-de-deprecated.ttl",
        "v2.0/dcat-ap-konventionen.ttl",
    ],
}
# Warnings the catalogue is known to draw, each with the reason it is left: none at present.
EXPLAINED_WARNINGS: dict[str, str] = {}


def findings(catalog: bytes, profile: str) -> Counter:
    """(severity, message) of every result of the profile's shapes, counted."""
    data = Graph().parse(data=catalog, format="json-ld")
    for vocabulary in sorted((SHAPES / "vocabularies").iterdir()):
        data.parse(vocabulary)
    shapes = Graph()
    for name in PROFILES[profile]:
        shapes.parse(SHAPES / name)
    _, report, _ = validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    return Counter(
        (
            str(report.value(r, SH.resultSeverity)).rsplit("#", 1)[1],
            str(report.value(r, SH.resultMessage)),
        )
        for r in report.subjects(RDF.type, SH.ValidationResult)
    )


@pytest.mark.parametrize("profile", PROFILES)
def test_the_catalogue_has_no_violation_and_only_explained_warnings(client, profile):
    found = findings(client.get("/daten/dcat.jsonld").content, profile)
    violations = {message: n for (severity, message), n in found.items() if severity == "Violation"}
    warnings = {message for (severity, message) in found if severity == "Warning"}
    assert violations == {}
    assert warnings <= set(EXPLAINED_WARNINGS)


def test_the_shapes_find_what_the_issue_found_in_the_old_catalogue(client):
    """The check is not vacuous: the deprecated property and a missing contributor are seen."""
    catalog = client.get("/daten/dcat.jsonld").json()
    for dataset in catalog["dcat:dataset"]:
        dataset.pop("dcatde:contributorID")
        dataset["dcatde:politicalGeocodingURI"] = {"@id": dataset["dct:spatial"]["@id"]}
    content = json.dumps(catalog).encode()
    messages = " ".join(m for (_, m) in findings(content, "3.0")) + " ".join(
        m for (s, m) in findings(content, "2.0 with the GovData conventions") if s == "Violation"
    )
    assert "politicalGeocodingURI soll nicht mehr verwendet werden" in messages
    assert "contributorID MUSS verwendet werden" in messages
