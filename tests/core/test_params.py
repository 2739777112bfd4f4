"""Parameter declarations (core/params.py): the validator refuses exactly what the document's
schema refuses, for every parameter of every /api/v1/ operation."""

import re

import pytest
from openapi_schema_validator import OAS30Validator

from atlas.openapi import DOCUMENT, QUERIES
from core.http import BadParameter
from core.params import Param, Query, Rule

INTEGER = re.compile(r"^[+-]?[0-9]+$")


def documented(path: str, name: str) -> dict:
    parameters = DOCUMENT["paths"][path]["get"]["parameters"]
    return next(p for p in parameters if p["name"] == name)


def schema_accepts(parameter: dict, raw: str) -> bool:
    """As a client reads the document: empty is absent, a query value is text."""
    if raw == "":
        return not parameter["required"] or parameter.get("allowEmptyValue", False)
    schema = parameter["schema"]
    if schema["type"] == "integer":
        if not INTEGER.match(raw):
            return False
        value = int(raw)
    else:
        value = raw
    return OAS30Validator(schema).is_valid(value)


def parse_accepts(param: Param, raw: str) -> bool:
    try:
        param.parse(raw)
    except BadParameter as bad:
        assert bad.parameter == param.name
        return False
    return True


def probes(param: Param) -> list[str]:
    values = ["", "x", "12", "-1", "0", "1.5", "１２", "a,b", "1,2", "1,2,3,4", "11", " 11"]
    for limit in (param.minimum, param.maximum):
        if limit is not None:
            values += [str(limit - 1), str(limit), str(limit + 1)]
    return values + list(param.enum) + [f"{e}x" for e in param.enum]


DECLARED = [(path, param) for path, query in QUERIES.items() for param in query.params]


@pytest.mark.parametrize(
    ("path", "param"), DECLARED, ids=[f"{path} {p.name}" for path, p in DECLARED]
)
def test_the_validator_refuses_what_the_document_refuses(path, param):
    parameter = documented(path, param.name)
    disagreements = [
        raw for raw in probes(param) if schema_accepts(parameter, raw) != parse_accepts(param, raw)
    ]
    assert disagreements == []


def test_every_operation_documents_the_parameters_its_view_reads():
    for path, query in QUERIES.items():
        names = [p["name"] for p in DOCUMENT["paths"][path]["get"]["parameters"]]
        assert names == [p.name for p in query.params], path


@pytest.mark.parametrize(
    ("path", "name", "minimum", "maximum"),
    [
        ("/values", "classes", 3, 7),
        ("/values", "year", 1900, 2100),
        ("/releases", "offset", 0, 10**9),
        ("/tiles/{level}/{z}/{x}/{y}.mvt", "z", 0, 22),
        ("/catchment", "year", 1900, 2100),
    ],
)
def test_the_document_states_the_limits_the_server_keeps(path, name, minimum, maximum):
    schema = documented(path, name)["schema"]
    assert (schema["minimum"], schema["maximum"]) == (minimum, maximum)


def test_a_rule_is_written_into_its_parameter_s_description():
    description = documented("/districts", "chunk")["description"]
    assert "'chunk' applies with 'zoom' only" in description


def test_a_rule_refuses_with_a_400_naming_its_parameter():
    query = Query(
        params=(Param("a", "a", type="integer"), Param("b", "b", type="integer")),
        rules=(Rule("b", "b > a", lambda v: v["b"] is not None and v["b"] <= (v["a"] or 0)),),
    )
    assert query.parse({"a": "1", "b": "2"}) == {"a": 1, "b": 2}
    with pytest.raises(BadParameter) as refused:
        query.parse({"a": "3", "b": "2"})
    assert (refused.value.parameter, refused.value.status) == ("b", 400)
    assert query.refuses({"a": "3", "b": "2"})
    assert not query.refuses({"a": "x", "b": "2"})  # not well formed: no rule involved


def test_a_required_parameter_left_out_is_named():
    with pytest.raises(BadParameter) as refused:
        Query(params=(Param("level", "level", required=True),)).parse({})
    assert refused.value.parameter == "level"
    assert "fehlt" in refused.value.message and "required" in refused.value.message


@pytest.mark.django_db
def test_empty_codes_and_types_are_refused(client):
    response = client.get(
        "/api/v1/series", {"indicator": "einwohner", "level": "stadt", "codes": ","}
    )
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == "codes"
    response = client.get("/api/v1/catchment", {"type": "", "distance": 500, "level": "stadt"})
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == "type"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/tiles/stadt/1/2/0.mvt", "x"),
        ("/api/v1/tiles/stadt/1/0/2.mvt", "y"),
        ("/api/v1/districts?level=stadt&chunk=0,0", "chunk"),
        ("/api/v1/values?indicator=einwohner&level=stadt&classes=8", "classes"),
        ("/api/v1/releases?offset=1000000001", "offset"),
        ("/api/v1/facilities?year=2101", "year"),
    ],
)
def test_the_server_refuses_with_a_400_naming_the_parameter(client, url, parameter):
    response = client.get(url)
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == parameter
