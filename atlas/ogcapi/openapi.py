"""The OpenAPI 3.0 description of the OGC API endpoints, served at /ogcapi/api."""

from .params import LIMIT, OFFSET, YEAR, F

# The parameters the views parse with these declarations (atlas/ogcapi/params.py).
_F = F.openapi([])
_YEAR = YEAR.openapi([])
_ERROR = {
    "type": "object",
    "required": ["code"],
    "properties": {
        "code": {"type": "string"},
        "description": {"type": "string"},
        "error": {
            "type": "object",
            "properties": {"parameter": {"type": "string"}, "message": {"type": "string"}},
        },
    },
}


def _response(description: str, *media_types: str) -> dict:
    return {
        "description": description,
        "content": {media_type: {"schema": {"type": "object"}} for media_type in media_types},
    }


def _errors() -> dict:
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/exception"}}}
    return {
        "400": {"description": "Ungültiger Parameter / invalid parameter", "content": error},
        "404": {"description": "Nicht gefunden / not found", "content": error},
    }


def _get(operation_id: str, summary: str, parameters: list, *media_types: str) -> dict:
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": parameters,
            "responses": {"200": _response(summary, *media_types, "text/html"), **_errors()},
        }
    }


def document(*, base: str, collections: list[str]) -> dict:
    """The OpenAPI document; ``base`` is the absolute URL of the landing page."""
    collection_id = {
        "name": "collectionId",
        "in": "path",
        "required": True,
        "description": "Kennung der Gebietsebene / level identifier",
        "schema": {"type": "string", "enum": collections},
    }
    feature_id = {
        "name": "featureId",
        "in": "path",
        "required": True,
        "description": "Schlüssel des Gebiets / district code",
        "schema": {"type": "string"},
    }
    items_parameters = [
        collection_id,
        _F,
        {
            "name": "bbox",
            "in": "query",
            "required": False,
            "style": "form",
            "explode": False,
            "description": "minx,miny,maxx,maxy (CRS84)",
            "schema": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
        },
        {
            **LIMIT.openapi(
                [
                    "Mehr als das Maximum gilt als das Maximum / more than the maximum "
                    "is taken as the maximum."
                ]
            ),
            "style": "form",
            "explode": False,
        },
        OFFSET.openapi([]),
        {
            "name": "datetime",
            "in": "query",
            "required": False,
            "style": "form",
            "explode": False,
            "description": "Jahr der Werte: das Jahr eines Zeitpunkts, bei einem Zeitraum das "
            "neueste veröffentlichte darin; die Gebiete mit der Grenze, die am 31.12. dieses "
            "Jahres galt / year of the values: the year of an instant, for an interval the "
            "newest published year in it; the districts with the boundary valid on 31 December "
            "of that year (RFC 3339, an interval start/end with '..' for an open end)",
            "schema": {"type": "string"},
        },
        _YEAR,
        {
            "name": "properties",
            "in": "query",
            "required": False,
            "style": "form",
            "explode": True,
            "description": "Filter <Eigenschaft>=<Wert> auf jede abfragbare Eigenschaft "
            "(/collections/{collectionId}/queryables), gleich dem ausgegebenen Wert / "
            "filters <property>=<value> on any queryable, equal to the value as written",
            "schema": {
                "type": "object",
                "additionalProperties": {"type": "string"},
            },
        },
    ]
    geojson = "application/geo+json"
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Demografie- und Sozialatlas – OGC API Features",
            "version": "1.0.0",
            "description": "Gebiete und Indikatorwerte / districts and indicator values",
        },
        "servers": [{"url": base}],
        "paths": {
            "/": _get("getLandingPage", "Startseite / landing page", [_F], "application/json"),
            "/api": _get(
                "getApi",
                "Diese Beschreibung / this document",
                [_F],
                "application/vnd.oai.openapi+json;version=3.0",
            ),
            "/conformance": _get(
                "getConformance", "Konformitätsklassen / conformance", [_F], "application/json"
            ),
            "/collections": _get(
                "getCollections", "Sammlungen / collections", [_F], "application/json"
            ),
            "/collections/{collectionId}": _get(
                "describeCollection",
                "Eine Sammlung / one collection",
                [collection_id, _F],
                "application/json",
            ),
            "/collections/{collectionId}/queryables": _get(
                "getQueryables",
                "Abfragbare Eigenschaften / queryables",
                [collection_id, _F],
                "application/schema+json",
            ),
            "/collections/{collectionId}/items": _get(
                "getFeatures", "Gebiete / features", items_parameters, geojson
            ),
            "/collections/{collectionId}/items/{featureId}": _get(
                "getFeature",
                "Ein Gebiet / one feature",
                [collection_id, feature_id, _F, _YEAR],
                geojson,
            ),
        },
        "components": {"schemas": {"exception": _ERROR}},
    }


def outline(document: dict) -> list[dict]:
    """The operations of ``document`` as the HTML page of the API definition lists them."""
    return [
        {
            "path": path,
            "method": method.upper(),
            "id": operation["operationId"],
            "summary": operation["summary"],
            "parameters": [_parameter(p) for p in operation.get("parameters", [])],
            "responses": [
                {"status": status, "description": r["description"], "types": list(r["content"])}
                for status, r in operation["responses"].items()
            ],
        }
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def _parameter(parameter: dict) -> dict:
    return {
        "name": parameter["name"],
        "in": parameter["in"],
        "required": parameter.get("required", False),
        "schema": _schema_text(parameter["schema"]),
        "description": parameter.get("description", ""),
    }


def _schema_text(schema: dict) -> str:
    """A JSON Schema in a few words: its type, range, choices and default."""
    kind = schema.get("type", "")
    if kind == "array":
        kind = f"{kind} of {schema['items']['type']}"
    parts = [kind]
    if "enum" in schema:
        parts.append(" | ".join(str(v) for v in schema["enum"]))
    if "minimum" in schema or "maximum" in schema:
        parts.append(f"{schema.get('minimum', '')}…{schema.get('maximum', '')}")
    if "minItems" in schema:
        parts.append(f"{schema['minItems']}–{schema.get('maxItems', '')} items")
    if "default" in schema:
        parts.append(f"default {schema['default']}")
    return ", ".join(parts)
