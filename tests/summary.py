"""Lines a test module reports about its run, printed in pytest's closing summary.

A worker of pytest-xdist has no terminal of its own: it sends its lines to the main process
when it ends (``workeroutput``), where tests/conftest.py collects and prints them.
"""

LINES: list[str] = []


def report(config, lines: list[str]) -> None:
    output = getattr(config, "workeroutput", None)
    if output is not None:
        output.setdefault("reports", []).extend(lines)
    else:
        LINES.extend(lines)
