"""matplotlib's SVG made fit to stand inside an HTML page under the atlas's content security
policy: no ``style`` attribute or element (presentation attributes say the same and style-src
does not block them), no DOCTYPE or other external reference, ids that no other chart on the
page shares, and ``role="img"`` with the alt text as its name and ``<title>``.
"""

import hashlib
import html
import re
from collections import Counter

SVG_NAMESPACES = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
STYLE_ATTRIBUTE = re.compile(r' style="([^"]*)"')
ROOT = re.compile(r"<svg [^>]*>")
DEFAULT_STYLE = re.compile(r"\s*<defs>\s*<style[^>]*>.*?</style>\s*</defs>", re.S)
ID = re.compile(r' id="([^"]+)"')
NUMBERED = re.compile(r"[a-z][a-z0-9.]*_\d+")  # matplotlib's own group ids: "axes_1", "text_12"
REFERENCE = re.compile(r'(url\(#|href="#)([^")]+)')
VIEW_BOX = re.compile(r'viewBox="([^"]+)"')


def inline_svg(svg: str, *, alt: str, width_mm: float, height_mm: float) -> str:
    """``svg`` as matplotlib writes it, ready to stand in a page at the given size."""
    body = svg[svg.index("<svg ") :]
    # The CSS matplotlib puts in a <style> element and style attributes is blocked by the
    # page's style-src; presentation attributes say the same and are not.
    body = DEFAULT_STYLE.sub("", body, count=1)
    body = STYLE_ATTRIBUTE.sub(_attributes, body)
    # Two charts on one page must not share an id: matplotlib's numbered group ids go, the
    # others get a prefix taken from the chart's content, so that it stays the same for the
    # same chart.
    prefix = "c" + hashlib.sha256((alt + body).encode()).hexdigest()[:10] + "-"
    referenced = {m[2] for m in REFERENCE.finditer(body)}
    # A series' own group id stays where it is one group; set on every bar of a series it
    # would be the same id many times over, and goes.
    counts = Counter(m[1] for m in ID.finditer(body))
    kept = referenced | {i for i, n in counts.items() if n == 1 and not NUMBERED.fullmatch(i)}
    body = ID.sub(
        lambda m: f' id="{prefix}{m[1]}"' if m[1] in kept else "",
        body,
    )
    body = REFERENCE.sub(lambda m: f"{m[1]}{prefix}{m[2]}", body)
    name = html.escape(alt, quote=True)
    view_box = VIEW_BOX.search(body)[1]
    root = (
        f'<svg {SVG_NAMESPACES} width="{width_mm:g}mm" height="{height_mm:g}mm" '
        f'viewBox="{view_box}" version="1.1" role="img" aria-label="{name}" '
        'stroke-linejoin="round" stroke-linecap="butt">'
        f"<title>{html.escape(alt, quote=False)}</title>"
    )
    # A function, so that a backslash in the alt text is not read as a group reference.
    return ROOT.sub(lambda _match: root, body, count=1).strip() + "\n"


def _attributes(match: re.Match) -> str:
    pairs = []
    for declaration in match[1].split(";"):
        name, _colon, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if not name:
            continue
        if name == "font-family" and "sans-serif" not in value:
            value += ", sans-serif"
        pairs.append(f' {name}="{html.escape(value, quote=False).replace(chr(34), "&quot;")}"')
    return "".join(pairs)
