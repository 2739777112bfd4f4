import io
import json
import logging

import pytest

from atlas.logs import JsonFormatter, RequestContextFilter


@pytest.fixture
def json_log():
    """What the root logger writes during the test, as parsed JSON lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def test_a_given_request_id_comes_back_in_the_response(client):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-4711.a_b"})
    assert response["X-Request-ID"] == "lb-4711.a_b"


@pytest.mark.parametrize("given", ["", "two words", "a" * 65, "x\r\nSet-Cookie: a=b", "ä"])
def test_a_malformed_request_id_is_replaced_by_a_new_one(client, given):
    response = client.get("/healthz", headers={"X-Request-ID": given})
    assert len(response["X-Request-ID"]) == 32
    assert response["X-Request-ID"] != given


def test_requests_without_an_id_get_different_ones(client):
    assert client.get("/healthz")["X-Request-ID"] != client.get("/healthz")["X-Request-ID"]


def test_every_line_of_a_request_carries_its_id_method_and_path(client, db, json_log):
    client.get("/gibt-es-nicht/", headers={"X-Request-ID": "req-1"})
    lines = json_log()
    # Django's own "Not Found" warning and the access line.
    assert {line["logger"] for line in lines} >= {"django.request", "atlas.request"}
    for line in lines:
        assert (line["request_id"], line["method"], line["path"]) == (
            "req-1",
            "GET",
            "/gibt-es-nicht/",
        )


def test_the_access_line_has_status_and_duration(client, json_log):
    client.get("/healthz")
    (access,) = [line for line in json_log() if line["logger"] == "atlas.request"]
    assert access["status"] == 200
    assert access["duration_ms"] >= 0
    assert access["level"] == "INFO"
    assert access["timestamp"].endswith("+00:00")


def test_lines_outside_a_request_have_no_request_id(json_log):
    logging.getLogger("atlas.test").warning("Wert %s", "ä")
    (line,) = json_log()
    assert line["request_id"] == "-"
    assert line["message"] == "Wert ä"


def test_an_exception_is_one_json_line_with_its_traceback(json_log):
    try:
        raise ValueError("kaputt")
    except ValueError:
        logging.getLogger("atlas.test").exception("Fehler")
    (line,) = json_log()
    assert line["message"] == "Fehler"
    assert "ValueError: kaputt" in line["exception"]
