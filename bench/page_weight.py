"""3. Page weight: JavaScript and CSS transferred for the first map view, in headless Chromium.

Served by gunicorn with whitenoise, which sends the compressed files it made at collectstatic.
Target: at most 150 KB of scripts and stylesheets, and no Plotly among them (Plotly loads
only when a chart is shown).
"""

import sys

from browser import Transfers, chromium, fresh_page
from common import Result, atlas_server, parser, report

TARGET_BYTES = 150 * 1000


def main(argv=None) -> list[Result]:
    args = parser(__doc__.splitlines()[0]).parse_args(argv)
    with atlas_server() as atlas, chromium() as browser, fresh_page(browser) as (page, cdp):
        transfers = Transfers(cdp)
        page.goto(atlas + "/")
        page.wait_for_selector("#map[data-drawn]", timeout=60_000)
        page.wait_for_load_state("networkidle")
        loaded = transfers.of_types("Script", "Stylesheet")
    total = sum(r["bytes"] for r in loaded)
    plotly = [r["url"] for r in loaded if "plotly" in r["url"].lower()]
    results = [
        Result(
            "3 page weight", "JS + CSS of / (encoded)", total / 1000, "KB",
            f"<= {TARGET_BYTES // 1000}", total <= TARGET_BYTES,
        ),
        Result("3 page weight", "Plotly among them", "yes" if plotly else "no", "", "no",
               not plotly),
    ]  # fmt: skip
    for response in sorted(loaded, key=lambda r: -r["bytes"]):
        name = response["url"].split("/static/", 1)[-1].split("?")[0]
        results.append(
            Result(
                "3 page weight",
                f"  {name} ({response['encoding'] or 'identity'})",
                response["bytes"] / 1000,
                "KB",
            )
        )
    report(results, args.results)
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
