"""A chapter's free text: Markdown, written in the admin, read as sanitised HTML by the web page
and the PDF and as runs of plain, bold and italic text by the Word file.

Raw HTML in the Markdown is not rendered (markdown-it's ``html`` option is off) and the result
goes through nh3 with a short list of tags, so nothing an editor types can run in a reader's
browser; links may only go to http(s) and mailto.
"""

import nh3
from markdown_it import MarkdownIt

from .document import Paragraph

TAGS = {"p", "strong", "em", "a", "ul", "ol", "li", "h3", "h4", "blockquote", "br", "code"}
PARSER = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")


def html(markdown: str) -> str:
    rendered = PARSER.render(markdown)
    # Chapter headings are h2; headings inside the text go one level below, never above.
    for level in ("h1", "h2"):
        rendered = rendered.replace(f"<{level}>", "<h3>").replace(f"</{level}>", "</h3>")
    return _clean(rendered)


def _clean(rendered: str) -> str:
    return nh3.clean(
        rendered,
        tags=TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener",
    )


def paragraphs(markdown: str) -> tuple[Paragraph, ...]:
    """The text block by block, each with its HTML and its runs for the Word file."""
    result = []
    kind, in_item, in_quote = "p", False, False
    for token in PARSER.parse(markdown):
        match token.type:
            case "blockquote_open" | "blockquote_close":
                in_quote = token.type == "blockquote_open"
            case "list_item_open" | "list_item_close":
                in_item = token.type == "list_item_open"
            case "heading_open":
                kind = "h3"
            case "paragraph_open":
                kind = "p"
            case "inline":
                result.append(
                    Paragraph(
                        kind="li" if in_item else "quote" if in_quote else kind,
                        html=_clean(PARSER.renderInline(token.content)),
                        runs=tuple(_runs(token.children or [])),
                    )
                )
    return tuple(result)


def _runs(children):
    bold = italic = False
    link = ""
    for child in children:
        if child.type == "strong_open":
            bold = True
        elif child.type == "strong_close":
            bold = False
        elif child.type == "em_open":
            italic = True
        elif child.type == "em_close":
            italic = False
        elif child.type == "link_open":
            href = str(child.attrs.get("href", ""))
            link = href if href.startswith(("http://", "https://", "mailto:")) else ""
        elif child.type == "link_close":
            link = ""
        elif child.type in ("text", "code_inline"):
            yield (child.content, bold, italic, link)
        elif child.type in ("softbreak", "hardbreak"):
            yield (" ", bold, italic, link)
