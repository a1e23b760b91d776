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
PICKS = {
    "pick_origin": "author_origin",
    "pick_doc": "doc_id",
    "pick_target": "target",
    "pick_label": "label",
    "pick_source": "label_source",
}
# The list starts where the overview's plot does (Vega aligns concatenated views), after its group labels,
# which are capped so the page fits 1280 px: 16 px margin + ~125 px labels + the list.
GROUP_LABEL_LIMIT = 110
# Ticks of the term view's symlog axes (Vega's own symlog ticks skip the small rates where most terms sit).
RATE_TICKS = (0, 1, 3, 10, 30, 100, 300, 1000, 3000, 10000)


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
        "pick_doc": (
            "Document",
            list(per_doc.index),
            [f"{doc} ({row.origin}, {row.n} units)" for doc, row in per_doc.iterrows()],
        ),
        "pick_target": ("Target", sorted(units["target"].unique()), None),
        "pick_label": ("Label used", [label for label in label_order if label in present_labels], None),
        "pick_source": ("Label source", sorted(units["label_source"].unique()), None),
    }
    return [
        {
            "name": name,
            "value": None,
            "bind": {
                "input": "select",
                "name": f"{title} ",
                "options": [None, *options],
                "labels": ["all", *(labels or options)],
            },
        }
        for name, (title, options, labels) in choices.items()
    ]


def overview_chart(cells: pd.DataFrame, stance_colours: Mapping[str, str], pick_cell: alt.Parameter) -> alt.FacetChart:
    """Share of each label per group and target over all units (the figures' cells), n on each bar."""
    faded = "isValid(pick_label) && datum.label !== pick_label"
    filters = {param: field for param, field in PICKS.items() if param in ("pick_origin", "pick_target", "pick_source")}
    bars = (
        alt.Chart(cells, name="overview")
        .mark_bar(cursor="pointer")
        .transform_filter(filter_expression(filters))
        .transform_joinaggregate(n_row="sum(units)", groupby=["author_origin", "target"])
        .transform_calculate(
            row_label="datum.author_origin + ' (n=' + datum.n_row + ')'",
            label_rank=f"indexof({json.dumps(list(stance_colours))}, datum.label)",
        )
        .encode(
            y=alt.Y("row_label:N", title=None, axis=alt.Axis(labelLimit=GROUP_LABEL_LIMIT)),
            x=alt.X("sum(units):Q", stack="normalize", title="share of units (label used)", axis=alt.Axis(format="%")),
            color=alt.Color("label:N", scale=colour_scale(stance_colours), title="label used"),
            order=alt.Order("label_rank:Q"),
            opacity=alt.Opacity(
                value=0.3,
                condition=[{"test": faded, "value": 0.3}, {"param": "pick_cell", "empty": True, "value": 1.0}],
            ),
            tooltip=[
                alt.Tooltip("author_origin:N", title="group"),
                "target:N",
                alt.Tooltip("label:N", title="label used"),
                alt.Tooltip("sum(units):Q", title="units"),
                alt.Tooltip("sum(documents):Q", title="documents"),
            ],
        )
        .add_params(pick_cell)
        .properties(width=330, height=alt.Step(22))
    )
    return (
        bars.facet(
            row=alt.Row(
                "target:N",
                title=None,
                header=alt.Header(labelOrient="top", labelAnchor="start", labelFontWeight="bold"),
            )
        )
        .resolve_scale(y="independent")
        .properties(
            title=alt.Title(
                "Units behind each figure cell",
                subtitle="click a bar segment to list its sentences; double-click clears",
            )
        )
    )


def term_chart(
    points: pd.DataFrame, origin_colours: Mapping[str, str], pick_term: alt.Parameter
) -> alt.LayerChart | alt.FacetChart:
    """One point per term: its rate in a group (x) vs in the other groups (y), for the picked target
    (all targets when none). Hover names the term; a click lists the sentences that use it.

    Both axes span every view's rates (a fixed domain), so views compare at a glance and an empty view
    draws empty axes instead of warning about an infinite extent.
    """
    in_view = (
        f"datum.target === (isValid(pick_target) ? pick_target : {json.dumps(data.ALL_TARGETS)})"
        " && (!isValid(pick_origin) || datum.author_origin === pick_origin)"
    )
    top = float(max(points["per10k_group"].max(), points["per10k_rest"].max(), 1.0)) if len(points) else 1.0
    rate = alt.Scale(type="symlog", domain=[0, top], nice=False)
    ticks = alt.Axis(values=[tick for tick in RATE_TICKS if tick <= top])
    dots = (
        alt.Chart(points, name="term_points")
        .transform_filter(in_view)
        .mark_circle(cursor="pointer")
        .encode(
            x=alt.X("per10k_group:Q", scale=rate, title="uses per 10,000 terms in the group", axis=ticks),
            y=alt.Y("per10k_rest:Q", scale=rate, title="uses per 10,000 terms in the other groups", axis=ticks),
            color=alt.Color("author_origin:N", scale=colour_scale(origin_colours), title="group"),
            size=alt.condition(pick_term, alt.value(100), alt.value(30), empty=False),
            opacity=alt.condition(pick_term, alt.value(0.9), alt.value(0.5)),
            tooltip=[
                "term:N",
                alt.Tooltip("author_origin:N", title="group"),
                "target:N",
                alt.Tooltip("count_group:Q", title="uses in group"),
                alt.Tooltip("count_rest:Q", title="uses in rest"),
                alt.Tooltip("per10k_group:Q", title="per 10k in group"),
                alt.Tooltip("per10k_rest:Q", title="per 10k in rest"),
            ],
        )
        .add_params(pick_term)
    )
    # Left unnamed: in a concat, Altair attaches a layer's selection to every named layer (a duplicate signal).
    diagonal = (
        alt.Chart(pd.DataFrame({"zero": [0.0], "top": [top]}))
        .mark_rule(color="#999999", strokeDash=[4, 4])
        .encode(x="zero:Q", y="zero:Q", x2="top:Q", y2="top:Q")
    )
    return alt.layer(diagonal, dots).properties(
        width=360,
        height=300,
        title=alt.Title(
            "Terms: rate in a group vs in the other groups",
            subtitle="below the dashed line: used more by the group; click a term to list its sentences",
        ),
    )
