"""The article of an HTML page, chosen by a maintained extractor; what it leaves out, for the audit.

A page saved from the web holds far more than its article: menus, share
bars, "related articles" lists, cookie notices, footers. Rules written for
the seed corpus do not know them all, so the choice of what is article is
left to trafilatura, a maintained main-content extractor tuned on news and
blog pages. The project's reducer (pipeline.ingestion.html) supplies every
visible block of the page, one per line; a block trafilatura's article
does not contain is left out and returned, so the cleaning audit lists
each one (rule ``html_extractor``) as it lists the rules' removals. The
kept lines are the reducer's, not trafilatura's text: trafilatura breaks
lines at inline markup, which would split sentences. A page in which
trafilatura finds no article (a fragment, a text file with a few inline
tags), or whose every block it would drop, keeps every block.
"""

from __future__ import annotations

import re

import trafilatura

from pipeline.ingestion.html import html_to_text

RULE = "html_extractor"
"""The name of this step in the cleaning audit."""


def article_text(html: str) -> tuple[str, list[str]]:
    """The page's article as plain text (one block per line, blank lines between) and the blocks left out."""
    visible = html_to_text(html)
    article = trafilatura.extract(
        html, output_format="txt", include_comments=False, include_tables=True, deduplicate=False, favor_recall=True
    )
    if not article or not article.strip():
        return visible, []
    article_words = " ".join(article.split())
    kept: list[str] = []
    left_out: list[str] = []
    for block in visible.strip("\n").split("\n\n"):
        words = " ".join(block.split())
        in_article = re.search(rf"(?<!\w){re.escape(words)}(?!\w)", article_words)
        (kept if in_article else left_out).append(block)
    if not kept:
        return visible, []
    return "\n\n".join(kept) + "\n", left_out
