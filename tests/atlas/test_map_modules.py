"""The map page names every module its script imports, so a browser fetches them side by
side instead of one level of imports after another (on a slow line each level costs a round
trip before the map can draw)."""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

JS = Path(__file__).resolve().parents[2] / "static" / "atlas" / "js"


def imported_by(entry: Path) -> set[Path]:
    """Every module reachable from ``entry`` through relative static imports."""
    found, todo = set(), [entry]
    while todo:
        module = todo.pop()
        for target in re.findall(r'^import[^"]*"(\.{1,2}/[^"]+)"', module.read_text(), re.M):
            path = (module.parent / target).resolve()
            if path not in found:
                found.add(path)
                todo.append(path)
    return found


def test_every_module_of_the_map_script_is_preloaded(client):
    page = client.get("/").content.decode()
    preloaded = set(re.findall(r'<link rel="modulepreload" href="/static/atlas/js/([^"]+)"', page))
    modules = {str(p.relative_to(JS)) for p in imported_by(JS / "map.js")}
    assert len(modules) >= 8
    assert modules | {"map.js"} <= preloaded
