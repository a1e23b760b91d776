"""The explorer's sentence list: the units a reader's choices select, one keyword-in-context row each.

Every dropdown, the overview click (``pick_cell``) and the term click
(``pick_term``) filter the embedded units (pipeline.report.explorer_charts
declares them); the list shows the first ``rows_shown`` in draw order.
"""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import pandas as pd

from pipeline.report import explorer_data as data
from pipeline.report.explorer_charts import PICKS, colour_scale, filter_expression

TABLE_WIDTH = 1100
# Sentence list columns: (header, field, x position in px, pixel limit before an ellipsis).
COLUMNS = [
    ("document", "doc_id", 0, 140),
    ("target", "target", 146, 58),
    ("label", "label", 210, 58),
    ("source", "label_source", 274, 74),
    ("gold", "gold_label", 354, 56),
    ("model (p)", "model_p", 416, 84),
]
# Keyword in context: the sentence before the mention ends at KWIC_X, the mention is centred in its column.
KWIC_X, KWIC_MENTION_WIDTH = 760, 116
# Characters of context kept before the mention (cut on the left; the pixel limit cuts on the right).
BEFORE_CHARS = 36


def selected_units(sentences: pd.DataFrame) -> alt.Chart:
    """The embedded units that pass every dropdown, the overview click and the term click, plus one marker
    row (draw = -1) that passes every filter: Vega aggregates no rows to no row, so without it the
    status line would vanish instead of saying that nothing matches."""
    marker = {column: "" for column in sentences.columns} | {
        "sent_id": 0,
        "n_mentions": 0,
        "p_model": 0.0,
        "terms": " ",
        "draw": -1,
    }
    rows = pd.concat([pd.DataFrame([marker]), sentences], ignore_index=True).astype({"sent_id": int, "draw": int})
    is_marker = "datum.draw < 0"
    uses_term = "!isValid(pick_term.term) || indexof(datum.terms, ' ' + pick_term.term[0] + ' ') >= 0"
    return (
        alt.Chart(rows)
        .transform_filter(f"{is_marker} || ({filter_expression(PICKS)})")
        .transform_filter(
            alt.LogicalOrPredicate(
                **{
                    "or": [
                        alt.ParameterPredicate(param="pick_cell", empty=True),
                        alt.FieldLTPredicate(field="draw", lt=0),
                    ]
                }
            )
        )
        .transform_filter(f"{is_marker} || {uses_term}")
    )


def status_line(selected: alt.Chart, rows_shown: int) -> alt.Chart:
    line = (
        f"datum.matched === 0 ? 'No embedded unit matches the selection.' : datum.matched + "
        f"' embedded units match; listed: ' + min(datum.matched, {rows_shown}) + "
        "' (picked round-robin over documents and cells, shown in document order)'"
    )
    return (
        selected.properties(name="status")
        .transform_calculate(unit="datum.draw < 0 ? 0 : 1")
        .transform_aggregate(matched="sum(unit)")
        .transform_calculate(line=line)
        .mark_text(align="left", fontSize=13, fontWeight="bold")
        .encode(text="line:N", x=alt.value(0), y=alt.value(8))
        .properties(width=TABLE_WIDTH, height=16)
    )


def column_header() -> alt.Chart:
    names = pd.DataFrame(
        {
            "name": [c[0] for c in COLUMNS] + ["sentence (the target mention in bold)"],
            "x": [c[2] for c in COLUMNS] + [COLUMNS[-1][2] + COLUMNS[-1][3] + 12],
        }
    )
    return (
        alt.Chart(names, name="header")
        .mark_text(align="left", fontWeight="bold", color="#555555")
        .encode(text="name:N", x=alt.X("x:Q", scale=None), y=alt.value(8))
        .properties(width=TABLE_WIDTH, height=16)
    )


def sentence_list(
    selected: alt.Chart, stance_colours: Mapping[str, str], rows_shown: int
) -> alt.LayerChart | alt.FacetChart:
    """At most ``rows_shown`` selected units, the first in draw order, listed in document order, one row each."""
    listed = (
        selected.transform_filter("datum.draw >= 0")
        .transform_window(shown="row_number()", sort=[alt.SortField("draw")])
        .transform_filter(f"datum.shown <= {rows_shown}")
        .transform_window(row="row_number()", sort=[alt.SortField(field) for field in data.UNIT_KEY])
        .transform_calculate(
            sentence="datum.before + datum.mention + datum.after",
            model_p="datum.model_label + ' ' + format(datum.p_model, '.2f')",
            before_shown=f"truncate(datum.before, {BEFORE_CHARS}, 'left')",
        )
    )
    tooltip = [
        alt.Tooltip("sentence:N"),
        alt.Tooltip("doc_id:N", title="document"),
        alt.Tooltip("sent_id:Q", title="sentence id"),
        "target:N",
        alt.Tooltip("n_mentions:Q", title="mentions"),
        alt.Tooltip("label:N", title="label used"),
        alt.Tooltip("label_source:N", title="label source"),
        alt.Tooltip("gold_label:N", title="gold"),
        alt.Tooltip("model_label:N", title="model"),
        alt.Tooltip("p_model:Q", title="p(model label)", format=".2f"),
    ]
    row = alt.Y("row:O", axis=None)
    cells = [
        listed.properties(name=f"column_{field}")
        .mark_text(align="left", limit=limit)
        .encode(text=f"{field}:N", x=alt.value(x), y=row)
        for _, field, x, limit in COLUMNS
        if field != "label"
    ]
    label_x = next(x for _, field, x, _ in COLUMNS if field == "label")
    cells.append(
        listed.properties(name="column_label")
        .mark_text(align="left", fontWeight="bold")
        .encode(
            text="label:N",
            x=alt.value(label_x),
            y=row,
            color=alt.Color("label:N", scale=colour_scale(stance_colours), legend=None),
        )
    )
    after_x = KWIC_X + KWIC_MENTION_WIDTH + 4
    kwic = [
        listed.properties(name="kwic_before")
        .mark_text(align="right", limit=KWIC_X - 520)
        .encode(text="before_shown:N", x=alt.value(KWIC_X - 4), y=row, tooltip=tooltip),
        listed.properties(name="kwic_mention")
        .mark_text(align="center", fontWeight="bold", limit=KWIC_MENTION_WIDTH)
        .encode(text="mention:N", x=alt.value(KWIC_X + KWIC_MENTION_WIDTH // 2), y=row, tooltip=tooltip),
        listed.properties(name="kwic_after")
        .mark_text(align="left", limit=TABLE_WIDTH - after_x)
        .encode(text="after:N", x=alt.value(after_x), y=row, tooltip=tooltip),
    ]
    return alt.layer(*cells, *kwic).properties(width=TABLE_WIDTH, height=alt.Step(20))
