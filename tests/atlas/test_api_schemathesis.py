"""Property-based tests of /api/v1/ against its own OpenAPI document (schemathesis).

Every operation gets generated requests, valid and invalid ones, and every answer goes
through all of schemathesis's default checks: no server error, documented status codes,
content types, headers and bodies, a 4xx for every request the document refuses, a 2xx (or
404 for what is not published) for every request it allows, 405 for undeclared methods.

What JSON Schema cannot say of a parameter (a tile's column below 2^z, ``chunk`` only with
``zoom``) is a rule of its declaration (core/params.py), written into the document; a request
such a rule refuses is left out of the generated well-formed ones, and only such a one.
"""

import json
from collections import Counter, defaultdict

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from atlas.openapi import DOCUMENT, QUERIES
from tests.summary import report

# One worker runs the whole module: the last test checks what the others sent.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("schemathesis")]
EXAMPLES = 25
# What was generated: operation → status code → number of requests.
SUMMARY: dict[str, Counter] = defaultdict(Counter)


@pytest.fixture
def wsgi_requests(db):
    """The test's transaction must survive each request, as in Django's own test client."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


schema = schemathesis.openapi.from_dict(DOCUMENT)
schema.app = get_wsgi_application()
# Random text rarely names a level or an indicator, so the answer would nearly always be
# 404 before any value is read: each generated value may be swapped for one that exists.
KNOWN = {
    "indicator": [
        "kinderarmut",
        "einwohner",
        "bevoelkerungsentwicklung",
        "sozialindex-dynamik",
        "kinder-unter-3",
    ],
    # An observed year, and one of the demo projection's.
    "year": [2023, 2030],
    "level": ["stadt", "stadtbezirk", "statistischer-bezirk"],
    "code": ["11", "3", "0"],
    "codes": ["11,12", "3", "11,99"],
    "theme": ["bevoelkerung", "sozialindex"],
    "within": ["3"],
    "method": ["manual", "natural_breaks"],
}


@schema.hook("flatmap_query")
def sometimes_known(context, query):
    if not isinstance(query, dict):
        return st.just(query)
    return st.fixed_dictionaries(
        {
            name: st.sampled_from([value, *KNOWN[name]]) if name in KNOWN else st.just(value)
            for name, value in query.items()
        }
    )


def _scalars(values) -> dict[str, str]:
    return {
        name: str(value)
        for name, value in (values or {}).items()
        if isinstance(value, str | int | float) and not isinstance(value, bool)
    }


@schema.hook("filter_case")
def within_the_rules(context, case):
    query = QUERIES.get(case.operation.path)
    return query is None or not query.refuses(_scalars(case.query), _scalars(case.path_parameters))


schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=EXAMPLES,
    deterministic=True,
)


@pytest.fixture(scope="module", autouse=True)
def summary(request):
    """Reports what was sent per operation, in the closing summary of the run."""
    yield
    lines = [f"schemathesis over /api/v1/ ({len(SUMMARY)} operations):"]
    for operation, statuses in sorted(SUMMARY.items()):
        counts = ", ".join(f"{code}×{n}" for code, n in sorted(statuses.items()))
        lines.append(f"  {operation}: {sum(statuses.values())} requests ({counts})")
    report(request.config, lines)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_keeps_to_the_document(case, wsgi_requests):
    # The WSGI transport asks for gzip but would not unpack it; compression has its own tests.
    response = case.call(headers={"Accept-Encoding": "identity"})
    SUMMARY[case.operation.label][response.status_code] += 1
    case.validate_response(response)  # every default check


def test_the_document_tested_is_the_one_served(client):
    assert client.get("/api/v1/openapi.json").json() == json.loads(json.dumps(DOCUMENT))


def test_every_documented_path_was_exercised():
    # Runs after the generated tests (file order): each operation sent requests.
    assert {label.split(" ", 1)[1] for label in SUMMARY} == {path for path in DOCUMENT["paths"]}
