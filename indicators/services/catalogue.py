"""Themes and indicators from a catalogue file (JSON), created or updated by slug."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from core.importing import ImportRejected, RowError
from indicators.models import Identity, Indicator, Theme

THEME_FIELDS = ["name_de", "name_en", "description_de", "description_en", "order"]
INDICATOR_FIELDS = [
    f.name for f in Indicator._meta.concrete_fields if f.name not in {"id", "slug", "theme"}
]


@transaction.atomic
def import_catalogue(*, path: Path) -> tuple[int, int]:
    """Create or update every theme and indicator in the file; returns (themes, indicators)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    errors = []
    for position, item in enumerate(data.get("indicators", []), start=1):
        missing = {"slug", "theme", *INDICATOR_FIELDS} - item.keys() - _OPTIONAL
        for name in sorted(missing):
            errors.append(RowError(position, name, item.get("slug", ""), "Angabe fehlt"))
    if errors:
        raise ImportRejected(errors)

    themes = {}
    for item in data.get("themes", []):
        themes[item["slug"]], _ = Theme.objects.update_or_create(
            slug=item["slug"], defaults={k: item[k] for k in THEME_FIELDS if k in item}
        )
    for position, item in enumerate(data.get("indicators", []), start=1):
        theme = themes.get(item["theme"]) or Theme.objects.filter(slug=item["theme"]).first()
        if theme is None:
            raise ImportRejected([RowError(position, "theme", item["theme"], "unbekanntes Thema")])
        indicator = Indicator.objects.filter(slug=item["slug"]).first() or Indicator(
            slug=item["slug"]
        )
        indicator.theme = theme
        for name in INDICATOR_FIELDS:
            if name in item:
                setattr(indicator, name, item[name])
        try:
            indicator.full_clean()
        except ValidationError as exc:
            raise _rejected(position, item, exc) from exc
        indicator.save()
    # Components refer to other indicators of the file, so they are linked once all exist.
    for position, item in enumerate(data.get("indicators", []), start=1):
        if "components" not in item:
            continue
        parts = list(Indicator.objects.filter(slug__in=item["components"]))
        unknown = set(item["components"]) - {p.slug for p in parts}
        if unknown:
            raise ImportRejected(
                [RowError(position, "components", ", ".join(sorted(unknown)), "unbekannt")]
            )
        Indicator.objects.get(slug=item["slug"]).components.set(parts)
    _import_identities(data.get("identities", []))
    return len(themes), len(data.get("indicators", []))


def _import_identities(items: list[dict]) -> None:
    """The identities of the file replace those of the indicators they are declared for."""
    identities = []
    for position, item in enumerate(items, start=1):
        indicator = Indicator.objects.filter(slug=item.get("indicator", "")).first()
        if indicator is None:
            raise ImportRejected(
                [RowError(position, "indicator", str(item.get("indicator", "")), "unbekannt")]
            )
        identity = Identity(
            indicator=indicator,
            part=item.get("part", Identity.Part.VALUE),
            terms=item.get("terms", ""),
            terms_year=item.get("year"),
            note=item.get("note", ""),
        )
        try:
            identity.full_clean()
        except ValidationError as exc:
            raise _rejected(position, item, exc) from exc
        identities.append(identity)
    Identity.objects.filter(indicator__in={i.indicator for i in identities}).delete()
    Identity.objects.bulk_create(identities)


# Fields with a sensible default that a catalogue may leave out.
_OPTIONAL = {
    "definition_en",
    "unit_de",
    "unit_en",
    "keywords_de",
    "keywords_en",
    "is_proportion",
    "numerator_de",
    "numerator_en",
    "denominator_de",
    "denominator_en",
    "factor",
    "decimals",
    "polarity",
    "source_en",
    "licence",
    "notes_de",
    "notes_en",
    "is_demo",
    "classification_method",
    "classification_classes",
    "classification_breaks",
    "palette",
    "disclosure_threshold",
    "computation",
    "facility_type",
    "denominator_is_count",
    "order",
    "sex",
    "age_group",
    "age_from",
}


def _rejected(position: int, item: dict, error: ValidationError) -> ImportRejected:
    """The file's item at ``position`` failed its model's checks: one row error per field."""
    return ImportRejected(
        [
            RowError(position, name, str(item.get(name, "")), " ".join(messages))
            for name, messages in error.message_dict.items()
        ]
    )
