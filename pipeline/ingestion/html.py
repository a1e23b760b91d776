"""HTML saved as a corpus "text" file: recognise it and reduce it to plain text.

Scraped files are often raw HTML under a .txt name. Fed to the pipeline as
text, tags and scripts would become sentences and ``&amp;`` would become a
word. The stdlib ``html.parser`` (lenient with broken markup, no extra
dependency) turns the page into lines the line-based cleaning rules can
work on: one line per block element, inline markup dropped, entities
decoded, whitespace collapsed as a browser does, and the content of
elements a reader never sees as prose (script, style, head, ...) removed.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements whose content is never article prose.
_INVISIBLE = frozenset(
    {"script", "style", "noscript", "template", "head", "svg", "math", "iframe", "object", "embed", "canvas"}
)
# Elements that start and end a line of text (a paragraph, heading, list item, table row...).
_BLOCK = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "br",
        "caption",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "html",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "title",
        "tr",
        "ul",
    }
)
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)
_CELL = frozenset({"td", "th"})

_KNOWN_TAG = re.compile(
    r"<!doctype\s+html[^<>]*>|</?(?:"
    + "|".join(
        sorted(_BLOCK | _INVISIBLE | {"a", "span", "em", "strong", "b", "i", "img", "meta", "link", "sup", "sub"})
    )
    + r")(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
_SPACE = re.compile(r"\s+")


def first_html_tag(text: str) -> re.Match[str] | None:
    """The first doctype or tag of a known HTML element in the text, if any.

    Known element names only, so prose such as "x < y > z" or "<Ukraine>" is
    not mistaken for markup.
    """
    return _KNOWN_TAG.search(text)


def looks_like_html(text: str) -> bool:
    return first_html_tag(text) is not None


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._line: list[str] = []
        self._hidden_depth = 0
        self._pre_depth = 0

    def _break(self) -> None:
        text = "".join(self._line)
        if self._pre_depth == 0:
            text = _SPACE.sub(" ", text)
        self.lines.append(text.strip())
        self._line = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":  # browsers close an unclosed <head> here; so do we
            self._hidden_depth = 0
        if tag in _INVISIBLE:
            if tag not in _VOID:
                self._hidden_depth += 1
            return
        if tag in _CELL:
            self._line.append(" ")
        elif tag in _BLOCK:
            self._break()
        if tag == "pre":
            self._pre_depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK and tag not in _CELL:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag in _INVISIBLE:
            self._hidden_depth = max(0, self._hidden_depth - 1)
            return
        if tag == "pre":
            self._pre_depth = max(0, self._pre_depth - 1)
        if tag in _CELL:
            self._line.append(" ")
        elif tag in _BLOCK:
            self._break()

    def handle_data(self, data: str) -> None:
        if self._hidden_depth == 0:
            if self._pre_depth:
                for i, part in enumerate(data.split("\n")):
                    if i:
                        self._break()
                    self._line.append(part)
            else:
                self._line.append(data)


_BLOCK_TAG = re.compile(r"<!doctype\s|</?(?:" + "|".join(sorted(_BLOCK)) + r")(?:\s[^<>]*)?/?>", re.IGNORECASE)


def html_to_text(html: str) -> str:
    """Visible text of an HTML page, one block element per line, blank lines between blocks.

    A text with inline tags only (``<b>``, ``<a href=...>``, left over from a
    scraper) keeps its own line breaks, as if it were one ``<pre>`` block:
    there are no block elements to take their place.
    """
    parser = _TextExtractor()
    if not _BLOCK_TAG.search(html):
        parser._pre_depth = 1
    parser.feed(html)
    parser.close()
    parser._break()
    blocks = [line for line in parser.lines if line]
    return "\n\n".join(blocks) + ("\n" if blocks else "")
