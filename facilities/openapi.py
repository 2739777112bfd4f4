"""The facility paths of the OpenAPI document (merged into atlas/openapi.py)."""


def _ok(schema: dict, media: str = "application/json") -> dict:
    return {"description": "OK", "content": {media: {"schema": schema}}}


_NULLABLE_STRING = {"type": "string", "nullable": True}


def paths(error: dict) -> dict:
    """The paths, with the document's shared error response."""
    return {
        "/facility-types": {
            "get": {
                "summary": "Angebotsarten / facility types",
                "operationId": "listFacilityTypes",
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "required": ["facility_types"],
                            "properties": {
                                "facility_types": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": [
                                            "slug", "name", "name_de", "name_en", "icon",
                                            "icon_url", "served_group_de", "served_group_en",
                                            "served_indicator", "served_part",
                                        ],
                                        "properties": {
                                            "slug": {"type": "string"},
                                            "name": {"type": "string"},
                                            "name_de": {"type": "string"},
                                            "name_en": {"type": "string"},
                                            "icon": {"type": "string"},
                                            "icon_url": {"type": "string"},
                                            "served_group_de": {"type": "string"},
                                            "served_group_en": {"type": "string"},
                                            "served_indicator": {
                                                **_NULLABLE_STRING,
                                                "description": "indicator counting the served "
                                                "group per district",
                                            },
                                            "served_part": {
                                                "type": "string",
                                                "enum": ["value", "numerator", "denominator"],
                                            },
                                        },
                                    },
                                }
                            },
                        }
                    )
                },
            }
        },
        "/facilities": {
            "get": {
                "summary": "Angebote als GeoJSON / facilities as GeoJSON (EPSG:4326)",
                "operationId": "listFacilities",
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "required": ["type", "features"],
                            "properties": {
                                "type": {"type": "string", "enum": ["FeatureCollection"]},
                                "features": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["type", "id", "properties", "geometry"],
                                        "properties": {
                                            "type": {"type": "string", "enum": ["Feature"]},
                                            "id": {"type": "integer"},
                                            "properties": {
                                                "type": "object",
                                                "required": [
                                                    "name", "address", "capacity", "type",
                                                    "contact", "is_demo",
                                                ],
                                                "properties": {
                                                    "name": {"type": "string"},
                                                    "address": {"type": "string"},
                                                    "capacity": {
                                                        "type": "integer", "nullable": True,
                                                    },
                                                    "type": {"type": "string"},
                                                    "contact": {"type": "string"},
                                                    "is_demo": {"type": "boolean"},
                                                    "opened_on": {
                                                        **_NULLABLE_STRING, "format": "date",
                                                    },
                                                    "closed_on": {
                                                        **_NULLABLE_STRING, "format": "date",
                                                        "description": "first day closed",
                                                    },
                                                    "district_code": {
                                                        **_NULLABLE_STRING,
                                                        "description": "with level: the "
                                                        "district containing the facility",
                                                    },
                                                    "district_name": _NULLABLE_STRING,
                                                },
                                            },
                                            "geometry": {
                                                "type": "object",
                                                "required": ["type", "coordinates"],
                                                "properties": {
                                                    "type": {"type": "string", "enum": ["Point"]},
                                                    "coordinates": {
                                                        "type": "array",
                                                        "items": {"type": "number"},
                                                    },
                                                },
                                            },
                                        },
                                    },
                                },
                            },
                        },
                        media="application/geo+json",
                    ),
                    "400": error,
                    "404": error,
                },
            }
        },
        "/catchment": {
            "get": {
                "summary": "Erreichbarkeit / share of each district's area within a distance "
                "of a facility of the type",
                "operationId": "getCatchment",
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "required": ["type", "distance", "level", "year", "areas"],
                            "properties": {
                                "type": {"type": "string"},
                                "distance": {"type": "integer"},
                                "level": {"type": "string"},
                                "year": {"type": "integer"},
                                "areas": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["code", "name", "share"],
                                        "properties": {
                                            "code": {"type": "string"},
                                            "name": {"type": "string"},
                                            "share": {
                                                "type": "number", "minimum": 0, "maximum": 1,
                                                "description": "share of the area within the "
                                                "distance of an open facility (facilities "
                                                "beyond the district's boundary count too)",
                                            },
                                        },
                                    },
                                },
                            },
                        }
                    ),
                    "400": error,
                    "404": error,
                },
            }
        },
    }  # fmt: skip
