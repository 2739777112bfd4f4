"""The OpenAPI 3 description of /api/v1/, served as /api/v1/openapi.json."""

from django.http import JsonResponse
from django.views.decorators.http import require_safe

from districts import params as district_params
from facilities import api as facilities_api
from facilities.openapi import paths as facility_paths
from indicators import params as indicator_params
from projections import api as projections_api
from projections.catalogue import QUANTILE_FIELDS
from projections.values import VALUES_QUERY

_NULLABLE_NUMBER = {"type": "number", "nullable": True}
# A change between two years (the /change endpoint and change maps).
_CHANGE = {
    **_NULLABLE_NUMBER,
    "description": "the second year's value minus the first's, both rounded to the "
    "indicator's decimals (as shown); null where either year is withheld or missing",
}
_CHANGE_PERCENT = {
    **_NULLABLE_NUMBER,
    "description": "counts only, in change maps and /change: the change in % of the first "
    "year's value, one decimal",
}
_CHANGE_UNIT = {
    "type": "string",
    "enum": ["percentage_points", "points", "per_mille_points", ""],
    "description": "percentage points where the indicator's unit is %, points for other "
    "ratios per 100 (and indices with base 100), per-mille points for rates per 1,000; "
    "empty: the indicator's own unit (counts also in % in change_percent)",
}
_STATUS = {
    "type": "string",
    "nullable": True,
    "enum": ["normal", "provisional", "estimated", ".", "-", "x", "/", "...", None],
    "description": "normal/provisional/estimated, or a DIN 55301 symbol in place of a number "
    "('.' also marks values withheld by disclosure control); null where nothing is published",
}
# A district a roll-up drew on, with the share of it that counted.
_PART = {
    "type": "object",
    "required": ["code", "name", "weight"],
    "properties": {
        "code": {"type": "string"},
        "name": {"type": "string"},
        "weight": {"type": "number"},
    },
}
_AREA_VALUE = {
    "type": "object",
    "required": [
        "code", "name", "value", "numerator", "denominator", "status", "reason",
        "ci_low", "ci_high", "comparison", "verdict", "approximate", "sources",
    ],
    "properties": {
        "code": {"type": "string"},
        "name": {"type": "string"},
        "value": _NULLABLE_NUMBER,
        "numerator": _NULLABLE_NUMBER,
        "denominator": _NULLABLE_NUMBER,
        "status": _STATUS,
        "reason": {
            "type": "string",
            "nullable": True,
            "enum": ["disclosure", "not_rollable", "incomplete", "core_incomplete", None],
            "description": "why no number is shown although one could exist: withheld by "
            "disclosure control, an index or median that is not rolled up, a roll-up "
            "with a missing part, or a social index with a core indicator not published",
        },
        "ci_low": {**_NULLABLE_NUMBER, "description": "95 % confidence interval (rates)"},
        "ci_high": _NULLABLE_NUMBER,
        "comparison": {
            "type": "string",
            "nullable": True,
            "enum": ["above", "below", "not_different", None],
            "description": "against the city value: only 'above'/'below' where the "
            "interval excludes it",
        },
        "verdict": {"type": "string", "nullable": True, "enum": ["better", "worse", None]},
        "approximate": {
            "type": "boolean",
            "description": "rolled up across levels that do not nest (area or population "
            "weights); the parts and weights are in 'sources'. Approximate values are "
            "rounded to the indicator's decimals (numerator and denominator to whole "
            "numbers) and have no confidence interval",
        },
        "sources": {"type": "array", "items": _PART},
        "ignored_sources": {
            "type": "array",
            "description": "districts of which less than the minimum share (1 %) lies in the "
            "area: left out of the roll-up (slivers from drawing the lines)",
            "items": _PART,
        },
    },
}  # fmt: skip
_ERROR = {
    "description": "A parameter is missing, malformed or unknown",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["error"],
                "properties": {
                    "error": {
                        "type": "object",
                        "required": ["parameter", "message"],
                        "properties": {
                            "parameter": {"type": "string"},
                            "message": {"type": "string"},
                        },
                    }
                },
            }
        }
    },
}


_TOO_MANY = {
    "description": "Too many requests from this client: wait the seconds in Retry-After",
    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["error"],
                "properties": {
                    "error": {
                        "type": "object",
                        "required": ["code", "message", "limit", "retry_after"],
                        "properties": {
                            "code": {"type": "string", "enum": ["rate_limited"]},
                            "message": {"type": "string"},
                            "limit": {"type": "string", "description": "e.g. 120/minute"},
                            "retry_after": {"type": "integer"},
                        },
                    }
                },
            }
        }
    },
}
_NOT_MODIFIED = {
    "description": "Not modified: the ETag (If-None-Match) or date (If-Modified-Since) the "
    "client sent still describes the published data"
}


_QUANTILE = {"type": "number"}
# The projected years of an indicator the population projection continues (/series).
_PROJECTION = {
    "type": "object",
    "nullable": True,
    "description": "the published population projection's years after its base year, for "
    "an indicator it continues (counts of people by planning age group); null where the "
    "indicator is not projected, no projection is published or its areas hold none of the "
    "level. Quantiles of the simulated trajectories, calibrated on the backtest: median, "
    "50 % (q25–q75), 80 % (q10–q90) and 95 % (q025–q975) intervals. Quantiles of different "
    "areas do not add up. A projection, not an observation",
    "required": [
        "run", "base_year", "scenario", "scenarios", "is_demo", "method_url",
        "accuracy_url", "series", "small",
    ],
    "properties": {
        "run": {"type": "integer", "description": "id of the published projection run"},
        "base_year": {"type": "integer", "description": "the last year the run starts from"},
        "scenario": {"type": "string"},
        "scenarios": {"type": "array", "items": {"type": "string"}},
        "is_demo": {"type": "boolean"},
        "method_url": {"type": "string"},
        "accuracy_url": {"type": "string"},
        "series": {
            "type": "object",
            "description": "by district code, plus 'stadt'",
            "additionalProperties": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["year", "q025", "q10", "q25", "median", "q75", "q90", "q975"],
                    "properties": {
                        "year": {"type": "integer"},
                        **{name: _QUANTILE for name in QUANTILE_FIELDS},
                    },
                },
            },
        },
        "small": {
            "type": "object",
            "description": "by code: the area had fewer than 5,000 inhabitants in the base "
            "year; its projection is rough",
            "additionalProperties": {"type": "boolean"},
        },
    },
}  # fmt: skip


# A projected year's area in /values: the median as its value, the quantiles beside it.
_PROJECTED_ROW = {
    **{
        name: {
            **_NULLABLE_NUMBER,
            "description": "projected years only: quantile of the simulated trajectories "
            "(calibrated on the backtest); q10–q90 is the 80 % interval, q025–q975 the 95 % "
            "one. Quantiles of different areas do not add up",
        }
        for name in QUANTILE_FIELDS
    },
    "projected": {
        "type": "boolean",
        "description": "projected years only, always true: a projection, not an observation",
    },
    "small": {
        "type": "boolean",
        "description": "projected years only: fewer than about 5,000 inhabitants in the base "
        "year, a rough projection",
    },
}
_VALUES_PROJECTION = {
    "type": "object",
    "nullable": True,
    "description": "null for an observed year; for a projected year the published population "
    "projection the values come from: the medians of its simulated trajectories in the "
    "scenario, classified like observed values",
    "required": [
        "run", "base_year", "scenario", "scenarios", "is_demo", "method_url", "accuracy_url",
        "areas_year",
    ],
    "properties": {
        "run": {"type": "integer", "description": "id of the published projection run"},
        "base_year": {"type": "integer", "description": "the last observed year it starts from"},
        "scenario": {"type": "string"},
        "scenarios": {"type": "array", "items": {"type": "string"}},
        "is_demo": {"type": "boolean"},
        "method_url": {"type": "string"},
        "accuracy_url": {"type": "string"},
        "areas_year": {
            "type": "integer",
            "description": "the observed year whose areas and boundaries are shown",
        },
    },
}  # fmt: skip


# Example values (from the Bottrop demo data): the API guide and the tests use them too.
EXAMPLES = {
    "indicator": "kinderarmut",
    "level": "statistischer-bezirk",
    "year": 2023,
    "code": "11",
    "codes": "11,12",
    "from": 2015,
    "to": 2023,
    "theme": "kinder-und-jugend",
    # The tile over the middle of Bottrop at zoom 12.
    "z": 12,
    "x": 2126,
    "y": 1361,
}


def _ok(schema: dict, media: str = "application/json") -> dict:
    return {"description": "OK", "content": {media: {"schema": schema}}}


DOCUMENT = {
    "openapi": "3.0.3",
    "info": {
        "title": "Demografie- und Sozialatlas API",
        "version": "1.0.0",
        "description": "Small-area social statistics: levels, district boundaries, indicators "
        "and their published values. Values below an indicator's disclosure threshold are "
        "returned as status '.' without numbers. Demo data is marked with is_demo.",
    },
    "servers": [{"url": "/api/v1"}],
    "externalDocs": {"description": "API-Beschreibung / API guide", "url": "/api/"},
    "paths": {
        "/levels": {
            "get": {
                "summary": "Gebietsebenen / spatial levels",
                "operationId": "listLevels",
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "required": ["levels"],
                            "properties": {
                                "levels": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["slug", "name", "rank", "districts"],
                                        "properties": {
                                            "slug": {"type": "string"},
                                            "name": {"type": "string"},
                                            "name_de": {"type": "string"},
                                            "name_en": {"type": "string"},
                                            "rank": {"type": "integer"},
                                            "districts": {"type": "integer"},
                                        },
                                    },
                                }
                            },
                        }
                    )
                },
            }
        },
        "/districts": {
            "get": {
                "summary": "Grenzen einer Ebene als GeoJSON / boundaries of a level as GeoJSON",
                "operationId": "listDistricts",
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "required": ["type", "features"],
                            "properties": {
                                "type": {"type": "string", "enum": ["FeatureCollection"]},
                                "chunk": {
                                    "type": "object",
                                    "description": "with the parameter chunk only: its tile",
                                    "required": ["z", "x", "y"],
                                    "properties": {
                                        "z": {"type": "integer"},
                                        "x": {"type": "integer"},
                                        "y": {"type": "integer"},
                                    },
                                },
                                "zoom": {
                                    "type": "object",
                                    "description": "with the parameter zoom only: the zooms "
                                    "this geometry suits; a map zoomed beyond 'max' asks again "
                                    "(max null: every finer zoom)",
                                    "required": ["min", "max"],
                                    "properties": {
                                        "min": {"type": "integer"},
                                        "max": {"type": "integer", "nullable": True},
                                    },
                                },
                                "features": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["type", "id", "properties", "geometry"],
                                        "properties": {
                                            "type": {"type": "string", "enum": ["Feature"]},
                                            "id": {"type": "string"},
                                            "properties": {
                                                "type": "object",
                                                "required": ["code", "name", "area_km2", "is_demo"],
                                                "properties": {
                                                    "code": {"type": "string"},
                                                    "name": {"type": "string"},
                                                    "area_km2": {"type": "number"},
                                                    "is_demo": {"type": "boolean"},
                                                },
                                            },
                                            "geometry": {"type": "object"},
                                        },
                                    },
                                },
                            },
                        },
                        media="application/geo+json",
                    ),
                    "400": _ERROR,
                    "404": _ERROR,
                },
            }
        },
        "/tiles/{level}/{z}/{x}/{y}.mvt": {
            "get": {
                "summary": "Grenzen als Vektorkacheln / boundaries as vector tiles",
                "operationId": "getDistrictTile",
                "description": "A Mapbox Vector Tile (XYZ scheme, Web Mercator, extent 4096) "
                "with one layer 'districts' whose features carry code and name; values join "
                "by code. Drawn from the simplified geometry of z's zoom band, as "
                "/districts?zoom=z. A tile that no district reaches is empty (0 bytes).",
                "responses": {
                    "200": _ok(
                        {"type": "string", "format": "binary"},
                        media="application/vnd.mapbox-vector-tile",
                    ),
                    "400": _ERROR,
                    "404": _ERROR,
                },
            }
        },
        "/indicators": {
            "get": {
                "summary": "Themenfelder und Indikatoren / themes and indicators with metadata",
                "operationId": "listIndicators",
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "required": ["themes", "indicators"],
                            "properties": {
                                "themes": {"type": "array", "items": {"type": "object"}},
                                "indicators": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": [
                                            "slug",
                                            "theme",
                                            "name_de",
                                            "name_en",
                                            "kind",
                                            "unit_de",
                                            "decimals",
                                            "polarity",
                                            "source",
                                            "source_en",
                                            "is_demo",
                                            "levels",
                                            "sex",
                                            "age_group",
                                            "age_from",
                                        ],
                                        "properties": {
                                            "slug": {"type": "string"},
                                            "theme": {"type": "string"},
                                            "source": {
                                                "type": "string",
                                                "description": "the source, in German",
                                            },
                                            "source_en": {
                                                "type": "string",
                                                "description": "the source in English; "
                                                "empty where none is given",
                                            },
                                            "licence": {
                                                "type": "string",
                                                "description": "the licence the atlas "
                                                "publishes the values under "
                                                "(e.g. dl-de/by-2-0)",
                                            },
                                            "licence_url": {"type": "string"},
                                            "attribution": {
                                                "type": "string",
                                                "description": "the attribution the "
                                                "licence asks of re-users",
                                            },
                                            "source_licence": {
                                                "type": "string",
                                                "description": "the licence of the "
                                                "source's own data, empty where not known",
                                            },
                                            "kind": {
                                                "type": "string",
                                                "enum": [
                                                    "count",
                                                    "rate",
                                                    "mean",
                                                    "median",
                                                    "index",
                                                ],
                                            },
                                            "levels": {
                                                "type": "array",
                                                "items": {"type": "string"},
                                            },
                                            "sex": {
                                                "type": "string",
                                                "enum": ["", "m", "w"],
                                                "description": "m = male, w = female, "
                                                "empty = not by sex",
                                            },
                                            "age_group": {
                                                "type": "string",
                                                "description": "e.g. '0–9', '90+'; empty = "
                                                "not by age",
                                            },
                                            "age_from": {
                                                "type": "integer",
                                                "nullable": True,
                                                "description": "lower age limit of the group "
                                                "in years",
                                            },
                                        },
                                    },
                                },
                            },
                        }
                    ),
                    "400": _ERROR,
                    "404": _ERROR,
                },
            }
        },
        "/values": {
            "get": {
                "summary": "Werte eines Indikators je Gebiet / values of an indicator per area",
                "description": "An observed year's values, or in one of projected_years the "
                "medians and quantiles of the published population projection in `scenario`. "
                "A projected year is shown for the levels the projection covers (else 400 "
                "naming `level`) and not as a change (`from` with a projected year: 404).",
                "operationId": "listValues",
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "required": [
                                "indicator",
                                "level",
                                "year",
                                "years",
                                "projected_years",
                                "projection",
                                "decimals",
                                "is_demo",
                                "classes",
                                "city",
                                "values",
                            ],
                            "properties": {
                                "indicator": {"type": "string"},
                                "level": {"type": "string"},
                                "year": {"type": "integer"},
                                "from": {"type": "integer", "nullable": True},
                                "years": {
                                    "type": "array",
                                    "description": "the observed years",
                                    "items": {"type": "integer"},
                                },
                                "projected_years": {
                                    "type": "array",
                                    "description": "the years after the published "
                                    "projection's base year, for an indicator it continues "
                                    "(counts of people by age group) at a level it covers; "
                                    "empty otherwise and for a release (pinned map)",
                                    "items": {"type": "integer"},
                                },
                                "projection": _VALUES_PROJECTION,
                                "within": {"type": "string", "nullable": True},
                                "boundaries": {
                                    "type": "object",
                                    "required": ["version", "url"],
                                    "description": "the boundaries valid in that year; "
                                    "the version changes only when they do",
                                    "properties": {
                                        "version": {"type": "string"},
                                        "url": {"type": "string"},
                                    },
                                },
                                "unit_de": {"type": "string"},
                                "unit_en": {"type": "string"},
                                "decimals": {"type": "integer"},
                                "is_demo": {"type": "boolean"},
                                "notice": {"type": "string"},
                                "classes": {
                                    "type": "object",
                                    "nullable": True,
                                    "properties": {
                                        "method": {"type": "string"},
                                        "lower": {"type": "number"},
                                        "breaks": {"type": "array", "items": {"type": "number"}},
                                        "colors": {"type": "array", "items": {"type": "string"}},
                                        "counts": {"type": "array", "items": {"type": "integer"}},
                                    },
                                },
                                "city": {
                                    **_AREA_VALUE,
                                    "nullable": True,
                                    "properties": {
                                        **_AREA_VALUE["properties"],
                                        **_PROJECTED_ROW,
                                    },
                                },
                                "within_value": {
                                    **_AREA_VALUE,
                                    "nullable": True,
                                    "properties": {
                                        **_AREA_VALUE["properties"],
                                        **_PROJECTED_ROW,
                                    },
                                },
                                "values": {
                                    "type": "array",
                                    "items": {
                                        **_AREA_VALUE,
                                        "properties": {
                                            **_AREA_VALUE["properties"],
                                            **_PROJECTED_ROW,
                                            "class": {"type": "integer", "nullable": True},
                                            "share_inside": {"type": "number"},
                                            "change_percent": _CHANGE_PERCENT,
                                        },
                                    },
                                },
                            },
                        }
                    ),
                    "400": _ERROR,
                    "404": _ERROR,
                },
            }
        },
        "/series": {
            "get": {
                "summary": "Zeitreihe / time series of districts and the city",
                "operationId": "getSeries",
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "required": [
                                "indicator",
                                "level",
                                "is_demo",
                                "series",
                                "projection",
                            ],
                            "properties": {
                                "indicator": {"type": "string"},
                                "level": {"type": "string"},
                                "is_demo": {"type": "boolean"},
                                "notice": {"type": "string"},
                                "projection": _PROJECTION,
                                "series": {
                                    "type": "object",
                                    "description": "by district code, plus 'stadt'",
                                    "additionalProperties": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["year"],
                                            "properties": {
                                                "year": {"type": "integer"},
                                                **_AREA_VALUE["properties"],
                                            },
                                        },
                                    },
                                },
                            },
                        }
                    ),
                    "400": _ERROR,
                    "404": _ERROR,
                },
            }
        },
        "/profile": {
            "get": {
                "summary": "Profil eines Gebiets / every indicator for one district",
                "description": "The values of one district: every indicator in one year, "
                "with the city value, the difference (for counts: the share of the city) and "
                "the rank among the level's districts. This is the endpoint for 'all values "
                "of a district'.",
                "operationId": "getProfile",
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "required": ["code", "name", "level", "year", "indicators"],
                            "properties": {
                                "code": {"type": "string"},
                                "name": {"type": "string"},
                                "level": {"type": "string"},
                                "year": {"type": "integer"},
                                "is_demo": {"type": "boolean"},
                                "notice": {"type": "string"},
                                "indicators": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["indicator", "value", "city", "rank"],
                                        "properties": {
                                            "indicator": {"type": "string"},
                                            "theme": {"type": "string"},
                                            "value": {**_AREA_VALUE, "nullable": True},
                                            "city": {**_AREA_VALUE, "nullable": True},
                                            "difference": {
                                                **_NULLABLE_NUMBER,
                                                "description": "the district's value minus "
                                                "the city's, both rounded to the indicator's "
                                                "decimals (as shown); null for counts (see "
                                                "share_of_city) and where either is missing "
                                                "or withheld",
                                            },
                                            "share_of_city": {
                                                **_NULLABLE_NUMBER,
                                                "description": "counts only: the district's "
                                                "count in % of the city's, one decimal",
                                            },
                                            "rank": {"type": "integer", "nullable": True},
                                            "ranked": {"type": "integer"},
                                        },
                                    },
                                },
                            },
                        }
                    ),
                    "400": _ERROR,
                    "404": _ERROR,
                },
            }
        },
        "/change": {
            "get": {
                "summary": "Veränderung zwischen zwei Jahren / change between two years",
                "operationId": "getChange",
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "required": ["indicator", "level", "from", "to", "values"],
                            "properties": {
                                "indicator": {"type": "string"},
                                "level": {"type": "string"},
                                "from": {"type": "integer"},
                                "to": {"type": "integer"},
                                "unit": _CHANGE_UNIT,
                                "unit_de": {
                                    "type": "string",
                                    "description": "what the changes are measured in, e.g. "
                                    "'Prozentpunkte', 'Punkte', '‰-Punkte' or the indicator's "
                                    "unit",
                                },
                                "unit_en": {"type": "string"},
                                "is_demo": {"type": "boolean"},
                                "notice": {"type": "string"},
                                "values": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["code", "name", "start", "end", "change"],
                                        "properties": {
                                            "code": {"type": "string"},
                                            "name": {"type": "string"},
                                            "start": {**_AREA_VALUE, "nullable": True},
                                            "end": {**_AREA_VALUE, "nullable": True},
                                            "change": _CHANGE,
                                            "change_percent": _CHANGE_PERCENT,
                                            "unit": _CHANGE_UNIT,
                                        },
                                    },
                                },
                            },
                        }
                    ),
                    "400": _ERROR,
                    "404": _ERROR,
                },
            }
        },
        "/themes": {
            "get": {
                "summary": "Themenfelder / themes with their indicators",
                "operationId": "listThemes",
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "required": ["themes"],
                            "properties": {
                                "themes": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": [
                                            "slug",
                                            "name_de",
                                            "name_en",
                                            "order",
                                            "indicators",
                                        ],
                                        "properties": {
                                            "slug": {"type": "string"},
                                            "name_de": {"type": "string"},
                                            "name_en": {"type": "string"},
                                            "description_de": {"type": "string"},
                                            "description_en": {"type": "string"},
                                            "order": {"type": "integer"},
                                            "indicators": {
                                                "type": "array",
                                                "items": {"type": "string"},
                                                "description": "indicator slugs",
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
        "/releases": {
            "get": {
                "summary": "Veröffentlichte Datenstände / published releases, newest first",
                "description": "Only published releases; drafts and withdrawn releases are "
                "not listed. Each names its values per theme and links its downloads.",
                "operationId": "listReleases",
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "required": ["count", "next", "previous", "results"],
                            "properties": {
                                "count": {"type": "integer"},
                                "next": {"type": "string", "nullable": True},
                                "previous": {"type": "string", "nullable": True},
                                "results": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": [
                                            "id",
                                            "title",
                                            "published_at",
                                            "values",
                                            "first_year",
                                            "last_year",
                                            "themes",
                                            "downloads",
                                        ],
                                        "properties": {
                                            "id": {"type": "integer"},
                                            "title": {"type": "string"},
                                            "published_at": {
                                                "type": "string",
                                                "format": "date-time",
                                            },
                                            "values": {"type": "integer"},
                                            "first_year": {"type": "integer", "nullable": True},
                                            "last_year": {"type": "integer", "nullable": True},
                                            "themes": {
                                                "type": "array",
                                                "items": {
                                                    "type": "object",
                                                    "required": [
                                                        "theme",
                                                        "values",
                                                        "first_year",
                                                        "last_year",
                                                    ],
                                                    "properties": {
                                                        "theme": {"type": "string"},
                                                        "values": {"type": "integer"},
                                                        "first_year": {"type": "integer"},
                                                        "last_year": {"type": "integer"},
                                                    },
                                                },
                                            },
                                            "downloads": {
                                                "type": "object",
                                                "required": ["csv", "xlsx"],
                                                "properties": {
                                                    "csv": {"type": "string"},
                                                    "xlsx": {"type": "string"},
                                                },
                                            },
                                        },
                                    },
                                },
                            },
                        }
                    ),
                    "400": _ERROR,
                },
            }
        },
    },
}

DOCUMENT["paths"].update(facility_paths(_ERROR))

# Each operation's parameters, from the declarations its view parses them with.
QUERIES = {
    "/districts": district_params.DISTRICTS,
    "/tiles/{level}/{z}/{x}/{y}.mvt": district_params.TILE,
    "/indicators": indicator_params.INDICATORS,
    "/values": VALUES_QUERY,
    "/series": projections_api.SERIES,
    "/profile": indicator_params.PROFILE,
    "/change": indicator_params.CHANGE,
    "/releases": indicator_params.RELEASES,
    "/facilities": facilities_api.FACILITIES,
    "/catchment": facilities_api.CATCHMENT,
}
for _path, _query in QUERIES.items():
    DOCUMENT["paths"][_path]["get"]["parameters"] = _query.openapi()

# Every operation: conditional requests and the per-client rate limit.
for _item in DOCUMENT["paths"].values():
    _item["get"]["responses"].update({"304": _NOT_MODIFIED, "429": _TOO_MANY})


@require_safe
def openapi(request):
    return JsonResponse(DOCUMENT)
