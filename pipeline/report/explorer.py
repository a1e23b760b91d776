"""The sentence explorer page: the units behind every figure cell, one self-contained HTML file.

The report stage calls ``explorer_html``. A reader picks origin group,
document, target, label and label source, clicks a bar of the overview or a
term of the Scattertext-style term view, and reads the sentences behind that
choice (``explorer_charts`` declares the dropdowns, overview and term view,
``explorer_list`` the sentence list, ``explorer_data`` shapes and caps the
tables; ``explorer_spec`` here puts them on one page).

Offline and inert by construction: the only script is vl-convert's bundle of
Vega, Vega-Lite and vega-embed ending in the standard ``vegaEmbed`` call; the
spec (with the untrusted sentences) sits in a JSON data block that never runs;
Vega draws text as SVG text nodes and the tooltip escapes HTML. A
Content-Security-Policy allows that one script and the one style by hash and
nothing else: no 'unsafe-eval', because vega-embed's ``ast`` option makes Vega
evaluate expressions with its interpreter instead of ``new Function``; no
network at all (default-src 'none').
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import altair as alt
import pandas as pd
import vl_convert
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sklearn.feature_extraction.text import CountVectorizer

from pipeline.report import explorer_charts as charts
from pipeline.report import explorer_data as data
from pipeline.report import explorer_list as rows

MAX_SENTENCES = 10_000
ROWS_SHOWN = 40
TERMS_PER_VIEW = 150
VEGA_LITE_VERSION = "6.4"
TEMPLATES = Path(__file__).parent / "templates"
# ast: Vega's CSP-safe expression interpreter instead of new Function(); no actions menu (it links
# to the online editor); no style elements injected (the CSP admits only the page's own, by hash).
EMBED_OPTIONS = {
    "ast": True,
    "actions": False,
    "renderer": "svg",
    "defaultStyle": False,
    "bind": "#explorer-controls",
    "tooltip": {"disableDefaultStyle": True},
}
EMBED_CALL = (
    "const spec = JSON.parse(document.getElementById('explorer-spec').textContent);\n"
    f"vegaEmbed('#explorer', spec, {json.dumps(EMBED_OPTIONS, sort_keys=True)}).catch(console.error);\n"
)


def explorer_html(
    units: pd.DataFrame,
    *,
    stance_colours: Mapping[str, str],
    origin_colours: Mapping[str, str],
    max_sentences: int = MAX_SENTENCES,
    rows_shown: int = ROWS_SHOWN,
    terms_per_view: int = TERMS_PER_VIEW,
    vectorizer: CountVectorizer | None = None,
    labels_note: str = "",
) -> str:
    """The explorer page for ``units`` (columns ``explorer_data.UNIT_COLUMNS``) as HTML text, the same
    bytes for the same input.

    ``stance_colours`` (label -> colour, in label order) and ``origin_colours``
    (group -> colour) are the report's palettes. ``vectorizer`` tokenises the
    term view (default: English stop words out, words of letters); pass the
    compare stage's to count terms the same way as the report's tables.
    ``labels_note`` says on the page which labels these are and who made
    them (the report's provenance words).
    """
    data.check_units(units)
    units = units.sort_values(data.UNIT_KEY, kind="stable").reset_index(drop=True)
    points, term_lists = data.term_points(units, vectorizer or data.default_vectorizer(), terms_per_view)
    sentences = data.explorer_sentences(units, max_sentences, term_lists)
    spec = explorer_spec(units, sentences, points, stance_colours, origin_colours, rows_shown)
    return render_page(
        spec, n_units=len(units), n_embedded=len(sentences), rows_shown=rows_shown, labels_note=labels_note
    )


def render_page(spec: dict, *, n_units: int, n_embedded: int, rows_shown: int, labels_note: str = "") -> str:
    """Spec as an inert JSON block, the Vega bundle as the one script, the stylesheet, a CSP by hash."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]), keep_trailing_newline=True
    )
    style = (TEMPLATES / "explorer.css").read_text(encoding="utf-8")
    script = vega_bundle()
    versions = {
        "Altair": alt.__version__,
        "Vega": vl_convert.get_vega_version(),
        "Vega-Lite": VEGA_LITE_VERSION,
        "vega-embed": vl_convert.get_vega_embed_version(),
    }
    return env.get_template("explorer.html.j2").render(
        spec_json=inert_json(spec),
        script=script,
        style=style,
        script_hash=csp_hash(script),
        style_hash=csp_hash(style),
        n_units=n_units,
        n_embedded=n_embedded,
        rows_shown=rows_shown,
        versions=versions,
        labels_note=labels_note,
    )


@cache
def vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed bundled by vl-convert (no network), ending in the embed call; ~7 s, once."""
    return vl_convert.javascript_bundle(EMBED_CALL, vl_version=VEGA_LITE_VERSION)


def inert_json(spec: dict) -> str:
    """JSON for a <script type="application/json"> block: sorted keys; <, > and & escaped so no sentence
    can close the block or open a tag (the escaping of Django's json_script)."""
    text = json.dumps(spec, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def csp_hash(text: str) -> str:
    """The CSP source expression that admits exactly this inline script or style."""
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def explorer_spec(
    units: pd.DataFrame,
    sentences: pd.DataFrame,
    points: pd.DataFrame,
    stance_colours: Mapping[str, str],
    origin_colours: Mapping[str, str],
    rows_shown: int,
) -> dict:
    """The page's Vega-Lite spec: dropdowns on top, overview and term view side by side, the sentence list below."""
    pick_cell = alt.selection_point(
        name="pick_cell", fields=["author_origin", "target", "label"], on="click", clear="dblclick"
    )
    pick_term = alt.selection_point(name="pick_term", fields=["term"], on="click", clear="dblclick")
    top = alt.hconcat(
        charts.overview_chart(data.origin_cells(units), stance_colours, pick_cell),
        charts.term_chart(points, origin_colours, pick_term),
        spacing=36,
    ).resolve_scale(color="independent")
    selected = rows.selected_units(sentences)
    listing = alt.vconcat(
        rows.status_line(selected, rows_shown),
        rows.column_header(),
        rows.sentence_list(selected, stance_colours, rows_shown),
        spacing=4,
    )
    chart = (
        alt.vconcat(top, listing, spacing=24)
        .resolve_scale(color="independent")
        .configure(font="system-ui, sans-serif", view=alt.ViewConfig(stroke=None))
    )
    with alt.data_transformers.disable_max_rows():  # rows are capped by explorer_data, not by Altair's guard
        spec = chart.to_dict()
    spec["params"] = [*spec.get("params", []), *charts.dropdown_params(units, list(stance_colours))]
    return spec
