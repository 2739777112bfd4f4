"""The import contracts of pyproject.toml (the layers of DESIGN.md) hold, and a wrong arrow
breaks them: each case adds one import to a copy of the code and runs ``lint-imports`` on it."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


@pytest.fixture
def tree(tmp_path):
    """A copy of the packages the contracts cover, with the project's pyproject.toml."""
    for package in CONFIG["root_packages"]:
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "templates", "static"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def broken(result: subprocess.CompletedProcess) -> set[str]:
    return {
        line.removesuffix(" BROKEN").strip()
        for line in result.stdout.splitlines()
        if line.endswith(" BROKEN")
    }


def test_the_code_keeps_every_contract(tree):
    result = lint_imports(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_contracts_name_every_layer_of_the_design():
    (layers,) = (c for c in CONFIG["contracts"] if c["type"] == "layers")
    assert [layer.strip("()") for layer in layers["layers"]] == [
        "atlas", "reports", "projections", "facilities", "indicators", "districts", "core",
    ]  # fmt: skip


WRONG_ARROWS = [
    # (module added, its text, contract names that must break)
    ("core/wrong.py", "from atlas import urls\n", {"core imports no app"}),
    (
        "districts/wrong.py",
        # Inside a function, as a cycle would be dodged: it counts all the same.
        "def f():\n    from indicators.models import Observation\n    return Observation\n",
        {"Geography knows no statistics, facilities or site"},
    ),
    ("indicators/wrong.py", "import facilities.selectors\n", set()),
    # The projection is below the reports: it may feed them, never read them.
    ("projections/wrong.py", "import reports.apps\n", set()),
]


@pytest.mark.parametrize(("path", "text", "contracts"), WRONG_ARROWS)
def test_a_wrong_import_breaks_the_contracts(tree, path, text, contracts):
    (tree / path).write_text(text)

    result = lint_imports(tree)

    assert result.returncode != 0
    layers = next(c["name"] for c in CONFIG["contracts"] if c["id"] == "layers")
    assert broken(result) >= contracts | {layers}
    assert path.removesuffix(".py").replace("/", ".") in result.stdout

    (tree / path).unlink()
    assert lint_imports(tree).returncode == 0
