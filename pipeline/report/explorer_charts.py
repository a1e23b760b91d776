"""The explorer's views as Altair (Vega-Lite) charts: dropdown filters, overview, term view, sentence list.

Interaction is declared, not scripted: each dropdown is a Vega-Lite variable
parameter bound to a <select> (null means "all"); a click on an overview bar
is a point selection on (group, target, label) and a click on a term a point
selection on the term. The sentence list filters on all of them. Names of
views and parameters are fixed, so the spec is the same for the same data.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import altair as alt
import pandas as pd

from pipeline.report import explorer_data as data

# Dropdown parameter -> the unit field it filters.
PICKS = {"pick_origin": "author_origin", "pick_doc": "doc_id", "pick_target": "target",
         "pick_label": "label", "pick_source": "label_source"}
# The list starts where the overview's plot does (Vega aligns concatenated views), after its group labels,
# which are capped so the page fits 1280 px: 16 px margin + ~125 px labels + the list.
GROUP_LABEL_LIMIT = 110
TABLE_WIDTH = 1100
# Sentence list columns: (header, field, x position in px, pixel limit before an ellipsis).
COLUMNS = [("document", "doc_id", 0, 140), ("target", "target", 146, 58), ("label", "label", 210, 58),
           ("source", "label_source", 274, 74), ("gold", "gold_label", 354, 56), ("model (p)", "model_p", 416, 84)]
# Keyword in context: the sentence before the mention ends at KWIC_X, the mention is centred in its column.
KWIC_X, KWIC_MENTION_WIDTH = 760, 116
# Ticks of the term view's symlog axes (Vega's own symlog ticks skip the small rates where most terms sit).
RATE_TICKS = (0, 1, 3, 10, 30, 100, 300, 1000, 3000, 10000)
# Characters of context kept before the mention (cut on the left; the pixel limit cuts on the right).
BEFORE_CHARS = 36


def filter_expression(picks: Mapping[str, str]) -> str:
    """Vega expression: a row passes when each dropdown is on 'all' (null) or equals the row's field."""
    return " && ".join(f"(!isValid({param}) || datum.{field} === {param})" for param, field in sorted(picks.items()))


def colour_scale(colours: Mapping[str, str]) -> alt.Scale:
    return alt.Scale(domain=list(colours), range=list(colours.values()))


def dropdown_params(units: pd.DataFrame, label_order: list[str]) -> list[dict]:
    """One <select> per filter, 'all' (null) first. A document's entry names its group and unit count.

    Plain Vega-Lite dicts, added to the finished spec: Altair deep-copies and
    validates every parameter once per subchart, which takes ~20 s with 5,000 document options.
    """
    per_doc = units.groupby("doc_id", sort=True).agg(origin=("author_origin", "first"), n=("doc_id", "size"))
    present_labels = set(units["label"])
    choices = {
        "pick_origin": ("Group", sorted(units["author_origin"].unique()), None),
        "pick_doc": ("Document", list(per_doc.index),
                     [f"{doc} ({row.origin}, {row.n} units)" for doc, row in per_doc.iterrows()]),
        "pick_target": ("Target", sorted(units["target"].unique()), None),
        "pick_label": ("Label used", [label for label in label_order if label in present_labels], None),
        "pick_source": ("Label source", sorted(units["label_source"].unique()), None),
    }
    return [{"name": name, "value": None,
             "bind": {"input": "select", "name": f"{title} ", "options": [None, *options],
                      "labels": ["all", *(labels or options)]}}
            for name, (title, options, labels) in choices.items()]


def overview_chart(cells: pd.DataFrame, stance_colours: Mapping[str, str], pick_cell) -> alt.FacetChart:
    """Share of each label per group and target over all units (the figures' cells), n on each bar."""
    faded = "isValid(pick_label) && datum.label !== pick_label"
    filters = {param: field for param, field in PICKS.items() if param in ("pick_origin", "pick_target", "pick_source")}
    bars = alt.Chart(cells, name="overview").mark_bar(cursor="pointer").transform_filter(
        filter_expression(filters)
    ).transform_joinaggregate(n_row="sum(units)", groupby=["author_origin", "target"]).transform_calculate(
        row_label="datum.author_origin + ' (n=' + datum.n_row + ')'",
        label_rank=f"indexof({json.dumps(list(stance_colours))}, datum.label)",
    ).encode(
        y=alt.Y("row_label:N", title=None, axis=alt.Axis(labelLimit=GROUP_LABEL_LIMIT)),
        x=alt.X("sum(units):Q", stack="normalize", title="share of units (label used)", axis=alt.Axis(format="%")),
        color=alt.Color("label:N", scale=colour_scale(stance_colours), title="label used"),
        order=alt.Order("label_rank:Q"),
        opacity=alt.Opacity(value=0.3, condition=[{"test": faded, "value": 0.3},
                                                  {"param": "pick_cell", "empty": True, "value": 1.0}]),
        tooltip=[alt.Tooltip("author_origin:N", title="group"), "target:N", alt.Tooltip("label:N", title="label used"),
                 alt.Tooltip("sum(units):Q", title="units"), alt.Tooltip("sum(documents):Q", title="documents")],
    ).add_params(pick_cell).properties(width=330, height=alt.Step(22))
    return bars.facet(row=alt.Row("target:N", title=None, header=alt.Header(labelOrient="top", labelAnchor="start",
                                                                          labelFontWeight="bold"))).resolve_scale(y="independent").properties(title=alt.Title(
        "Units behind each figure cell", subtitle="click a bar segment to list its sentences; double-click clears"))


def term_chart(points: pd.DataFrame, origin_colours: Mapping[str, str], pick_term) -> alt.LayerChart:
    """One point per term: its rate in a group (x) vs in the other groups (y), for the picked target
    (all targets when none). Hover names the term; a click lists the sentences that use it.

    Both axes span every view's rates (a fixed domain), so views compare at a glance and an empty view
    draws empty axes instead of warning about an infinite extent.
    """
    in_view = (f"datum.target === (isValid(pick_target) ? pick_target : {json.dumps(data.ALL_TARGETS)})"
               " && (!isValid(pick_origin) || datum.author_origin === pick_origin)")
    top = float(max(points["per10k_group"].max(), points["per10k_rest"].max(), 1.0)) if len(points) else 1.0
    rate = alt.Scale(type="symlog", domain=[0, top], nice=False)
    ticks = alt.Axis(values=[tick for tick in RATE_TICKS if tick <= top])
    dots = alt.Chart(points, name="term_points").transform_filter(in_view).mark_circle(cursor="pointer").encode(
        x=alt.X("per10k_group:Q", scale=rate, title="uses per 10,000 terms in the group", axis=ticks),
        y=alt.Y("per10k_rest:Q", scale=rate, title="uses per 10,000 terms in the other groups", axis=ticks),
        color=alt.Color("author_origin:N", scale=colour_scale(origin_colours), title="group"),
        size=alt.condition(pick_term, alt.value(100), alt.value(30), empty=False),
        opacity=alt.condition(pick_term, alt.value(0.9), alt.value(0.5)),
        tooltip=["term:N", alt.Tooltip("author_origin:N", title="group"), "target:N",
                 alt.Tooltip("count_group:Q", title="uses in group"), alt.Tooltip("count_rest:Q", title="uses in rest"),
                 alt.Tooltip("per10k_group:Q", title="per 10k in group"),
                 alt.Tooltip("per10k_rest:Q", title="per 10k in rest")],
    ).add_params(pick_term)
    # Left unnamed: in a concat, Altair attaches a layer's selection to every named layer (a duplicate signal).
    diagonal = alt.Chart(pd.DataFrame({"zero": [0.0], "top": [top]})).mark_rule(
        color="#999999", strokeDash=[4, 4]).encode(x="zero:Q", y="zero:Q", x2="top:Q", y2="top:Q")
    return alt.layer(diagonal, dots).properties(width=360, height=300, title=alt.Title(
        "Terms: rate in a group vs in the other groups",
        subtitle="below the dashed line: used more by the group; click a term to list its sentences"))


def selected_units(sentences: pd.DataFrame) -> alt.Chart:
    """The embedded units that pass every dropdown, the overview click and the term click, plus one marker
    row (draw = -1) that passes every filter: Vega aggregates no rows to no row, so without it the
    status line would vanish instead of saying that nothing matches."""
    marker = {column: "" for column in sentences.columns} | {"sent_id": 0, "n_mentions": 0, "p_model": 0.0,
                                                            "terms": " ", "draw": -1}
    rows = pd.concat([pd.DataFrame([marker]), sentences], ignore_index=True).astype({"sent_id": int, "draw": int})
    is_marker = "datum.draw < 0"
    uses_term = "!isValid(pick_term.term) || indexof(datum.terms, ' ' + pick_term.term[0] + ' ') >= 0"
    return alt.Chart(rows).transform_filter(f"{is_marker} || ({filter_expression(PICKS)})").transform_filter(
        {"or": [{"param": "pick_cell", "empty": True}, {"field": "draw", "lt": 0}]}).transform_filter(
        f"{is_marker} || {uses_term}")


def status_line(selected: alt.Chart, rows_shown: int) -> alt.Chart:
    line = (f"datum.matched === 0 ? 'No embedded unit matches the selection.' : datum.matched + "
            f"' embedded units match; listed: ' + min(datum.matched, {rows_shown}) + "
            "' (picked round-robin over documents and cells, shown in document order)'")
    return selected.properties(name="status").transform_calculate(unit="datum.draw < 0 ? 0 : 1").transform_aggregate(
        matched="sum(unit)").transform_calculate(line=line).mark_text(
        align="left", fontSize=13, fontWeight="bold").encode(
        text="line:N", x=alt.value(0), y=alt.value(8)).properties(width=TABLE_WIDTH, height=16)


def column_header() -> alt.Chart:
    names = pd.DataFrame({"name": [c[0] for c in COLUMNS] + ["sentence (the target mention in bold)"],
                          "x": [c[2] for c in COLUMNS] + [COLUMNS[-1][2] + COLUMNS[-1][3] + 12]})
    return alt.Chart(names, name="header").mark_text(align="left", fontWeight="bold", color="#555555").encode(
        text="name:N", x=alt.X("x:Q", scale=None), y=alt.value(8)).properties(width=TABLE_WIDTH, height=16)


def sentence_list(selected: alt.Chart, stance_colours: Mapping[str, str], rows_shown: int) -> alt.LayerChart:
    """At most ``rows_shown`` selected units, the first in draw order, listed in document order, one row each."""
    listed = selected.transform_filter("datum.draw >= 0").transform_window(
        shown="row_number()", sort=[alt.SortField("draw")]).transform_filter(
        f"datum.shown <= {rows_shown}").transform_window(
        row="row_number()", sort=[alt.SortField(field) for field in data.UNIT_KEY]).transform_calculate(
        sentence="datum.before + datum.mention + datum.after",
        model_p="datum.model_label + ' ' + format(datum.p_model, '.2f')",
        before_shown=f"truncate(datum.before, {BEFORE_CHARS}, 'left')")
    tooltip = [alt.Tooltip("sentence:N"), alt.Tooltip("doc_id:N", title="document"),
               alt.Tooltip("sent_id:Q", title="sentence id"), "target:N", alt.Tooltip("n_mentions:Q", title="mentions"),
               alt.Tooltip("label:N", title="label used"), alt.Tooltip("label_source:N", title="label source"),
               alt.Tooltip("gold_label:N", title="gold"), alt.Tooltip("model_label:N", title="model"),
               alt.Tooltip("p_model:Q", title="p(model label)", format=".2f")]
    row = alt.Y("row:O", axis=None)
    cells = [listed.properties(name=f"column_{field}").mark_text(align="left", limit=limit).encode(
        text=f"{field}:N", x=alt.value(x), y=row) for _, field, x, limit in COLUMNS if field != "label"]
    label_x = next(x for _, field, x, _ in COLUMNS if field == "label")
    cells.append(listed.properties(name="column_label").mark_text(align="left", fontWeight="bold").encode(
        text="label:N", x=alt.value(label_x), y=row, color=alt.Color("label:N", scale=colour_scale(stance_colours),
                                                                      legend=None)))
    after_x = KWIC_X + KWIC_MENTION_WIDTH + 4
    kwic = [
        listed.properties(name="kwic_before").mark_text(align="right", limit=KWIC_X - 520).encode(
            text="before_shown:N", x=alt.value(KWIC_X - 4), y=row, tooltip=tooltip),
        listed.properties(name="kwic_mention").mark_text(
            align="center", fontWeight="bold", limit=KWIC_MENTION_WIDTH).encode(
            text="mention:N", x=alt.value(KWIC_X + KWIC_MENTION_WIDTH // 2), y=row, tooltip=tooltip),
        listed.properties(name="kwic_after").mark_text(align="left", limit=TABLE_WIDTH - after_x).encode(
            text="after:N", x=alt.value(after_x), y=row, tooltip=tooltip),
    ]
    return alt.layer(*cells, *kwic).properties(width=TABLE_WIDTH, height=alt.Step(20))


def explorer_spec(units: pd.DataFrame, sentences: pd.DataFrame, points: pd.DataFrame,
                  stance_colours: Mapping[str, str], origin_colours: Mapping[str, str], rows_shown: int) -> dict:
    """The page's Vega-Lite spec: dropdowns on top, overview and term view side by side, the sentence list below."""
    pick_cell = alt.selection_point(name="pick_cell", fields=["author_origin", "target", "label"], on="click",
                                    clear="dblclick")
    pick_term = alt.selection_point(name="pick_term", fields=["term"], on="click", clear="dblclick")
    top = alt.hconcat(overview_chart(data.origin_cells(units), stance_colours, pick_cell),
                      term_chart(points, origin_colours, pick_term), spacing=36).resolve_scale(color="independent")
    selected = selected_units(sentences)
    rows = alt.vconcat(status_line(selected, rows_shown), column_header(),
                       sentence_list(selected, stance_colours, rows_shown), spacing=4)
    chart = alt.vconcat(top, rows, spacing=24).resolve_scale(color="independent").configure(
        font="system-ui, sans-serif", view=alt.ViewConfig(stroke=None))
    with alt.data_transformers.disable_max_rows():  # rows are capped by explorer_data, not by Altair's guard
        spec = chart.to_dict()
    spec["params"] = [*spec.get("params", []), *dropdown_params(units, list(stance_colours))]
    return spec
