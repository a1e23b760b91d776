"""The figure set: palettes, journal sizes, legible fonts, labelled axes, deterministic files."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text
from PIL import Image

from pipeline import paths
from pipeline.figures import (
    MIN_FONT_PT,
    FigureContext,
    draw,
    load_palette,
    palette_names,
    registered_figures,
)
from pipeline.figures.marks import SMALL_GROUP_DOCS
from pipeline.params import ConfigError, load_params
from pipeline.paths import LABELS
from pipeline.plugins import FigureSpec, figures

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", palette_names())
def test_palettes_give_every_label_and_seed_origin_a_distinct_colour(params, name):
    palette = load_palette(name)
    assert set(palette.stance) == set(LABELS)
    origins = palette.origins(params.corpus.origins)
    assert set(params.corpus.origins) <= set(origins)
    for group in (palette.stance, origins):
        assert len({mcolors.to_hex(c) for c in group.values()}) == len(group)
    # a group added later gets a spare colour of the palette, not one already in use
    grown = palette.origins([*params.corpus.origins, "Japanese"])
    assert grown["Japanese"] in palette.extra and grown["Japanese"] not in origins.values()


def test_unknown_palette_is_a_config_error_naming_the_known_ones():
    with pytest.raises(ConfigError, match=r"report.palette 'rainbow' is unknown; known: \['okabe_ito'"):
        load_palette("rainbow")


def test_a_taken_order_slot_is_refused():
    taken = registered_figures()[0]
    with pytest.raises(ValueError, match=f"order {taken.order} is taken by '{taken.stem}'"):
        figures.register("another_figure", order=taken.order, title="x", sources=())(lambda ctx: None)
    assert "another_figure" not in {spec.stem for spec in registered_figures()}


def test_a_figure_may_read_only_its_declared_sources(built_project):
    ctx = FigureContext.from_params(load_params(built_project / "params.yaml"))
    spec = registered_figures()[0]
    sneaky = FigureSpec(
        order=-1,
        stem="sneaky",
        title="x",
        sources=spec.sources[:1],
        draw=lambda c: c.read("outputs/data/stances.parquet"),
    )
    with pytest.raises(ValueError, match="reads outputs/data/stances.parquet but does not list it"):
        draw(sneaky, ctx)


def _numeric(labels: list[str]) -> bool:
    cleaned = [re.sub(r"[%,\u2212\s]", "", t).replace("\u2212", "-") for t in labels if t]
    return bool(cleaned) and all(re.fullmatch(r"-?\d+(\.\d+)?", t) for t in cleaned)


@pytest.fixture(scope="module")
def drawn_figures(built_project):
    ctx = FigureContext.from_params(load_params(built_project / "params.yaml"))
    figures = {spec.stem: draw(spec, ctx) for spec in registered_figures()}
    for d in figures.values():
        d.fig.canvas.draw()
    return ctx, figures


def test_every_figure_is_a_journal_column_wide(drawn_figures):
    ctx, figures = drawn_figures
    widths = {ctx.width("single"), ctx.width("double")}
    for stem, d in figures.items():
        width, height = d.fig.get_size_inches()
        assert width in widths, stem
        assert 1.0 < height <= 9.0, stem


def test_text_is_legible_at_print_size(drawn_figures):
    _, figures = drawn_figures
    for stem, d in figures.items():
        texts = [t for t in d.fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
        assert texts, stem
        small = [(t.get_text(), t.get_fontsize()) for t in texts if t.get_fontsize() < MIN_FONT_PT]
        assert not small, f"{stem}: text below {MIN_FONT_PT} pt: {small}"


def test_quantitative_axes_carry_a_label(drawn_figures):
    """An axis with numeric tick labels needs a title saying what and in which unit."""
    _, figures = drawn_figures
    for stem, d in figures.items():
        for ax in d.fig.axes:
            for axis, label in (
                (ax.xaxis, ax.get_xlabel() or d.fig.get_supxlabel()),
                (ax.yaxis, ax.get_ylabel() or d.fig.get_supylabel()),
            ):
                shown = [t.get_text() for t in axis.get_ticklabels() if t.get_visible()]
                if _numeric(shown):
                    assert label, f"{stem}: a numeric axis ({shown}) has no label"
        assert d.caption and d.alt and d.labels


def _interval_lines(fig, vertical: bool) -> dict[tuple[float, float], bool]:
    """Every two-point interval line of the figure: (low, high) -> drawn dashed."""
    lines = {}
    for ax in fig.axes:
        for line in ax.get_lines():
            x, y = (np.asarray(v, dtype=float) for v in line.get_data())
            if len(x) != 2:
                continue
            along, across = (y, x) if vertical else (x, y)
            if across[0] == across[1] and along[0] != along[1]:
                lines[(round(along.min(), 3), round(along.max(), 3))] = line.get_linestyle() != "-"
    return lines


@pytest.mark.parametrize(
    "stem, table, columns, scale, vertical",
    [
        ("stance_by_group", "stance_by_group", [f"share_{label}" for label in LABELS], 100, False),
        ("net_stance", "stance_by_group", ["net_index"], 1, False),
        ("frame_rates", "frame_rates_by_group", ["per_1k_words"], 1, False),
    ],
)
def test_group_figures_draw_the_tables_intervals_and_flag_small_groups(
    drawn_figures, built_project, stem, table, columns, scale, vertical
):
    """Each group's interval is the table's, dashed for a group of fewer than SMALL_GROUP_DOCS documents
    and solid otherwise (intervals of zero width are points, not lines)."""
    lines = _interval_lines(drawn_figures[1][stem].fig, vertical)
    rows = pd.read_csv(built_project / paths.table("compare", table))
    n_docs = rows["n_docs_mentioning"] if "n_docs_mentioning" in rows else rows["n_docs"]
    assert (n_docs < SMALL_GROUP_DOCS).any() and (n_docs >= SMALL_GROUP_DOCS).any()  # both kinds are checked
    checked = 0
    for (_, row), n in zip(rows.iterrows(), n_docs):
        for column in columns:
            lo, hi = scale * row[f"{column}_lo"], scale * row[f"{column}_hi"]
            if pd.isna(lo) or round(lo, 3) == round(hi, 3):
                continue
            # the figure and the test scale the table's values in different orders: allow float rounding
            key = next((k for k in lines if abs(k[0] - lo) < 1e-2 and abs(k[1] - hi) < 1e-2), None)
            assert key is not None, (stem, row["author_origin"], column, (lo, hi))
            assert lines[key] == (n < SMALL_GROUP_DOCS), (stem, row["author_origin"], column)
            checked += 1
    assert checked >= len(rows) * len(columns) // 2  # most intervals have width


def test_colours_mean_one_thing_and_shares_are_percent(drawn_figures):
    """Origin groups wear the palette's origin colours in every group figure, stance labels the label
    colours; no group figure uses a label colour and share axes run 0-100 %."""
    ctx, figures = drawn_figures
    label_colours = {mcolors.to_hex(c) for c in ctx.palette.stance.values()}
    for stem in ("stance_by_group", "net_stance", "frame_rates", "actor_salience", "framing_vocabulary"):
        fig = figures[stem].fig
        used = {mcolors.to_hex(line.get_color()) for ax in fig.axes for line in ax.get_lines()}
        used |= {mcolors.to_hex(line.get_color()) for legend in fig.legends for line in legend.get_lines()}
        assert not used & label_colours, f"{stem} draws a group in a stance label's colour"
    legend_colours = {
        t.get_text(): mcolors.to_hex(h.get_color())
        for t, h in zip(
            figures["stance_by_group"].fig.legends[0].get_texts(),
            figures["stance_by_group"].fig.legends[0].legend_handles,
        )
    }
    origins = ctx.palette.origins(ctx.params.corpus.origins)
    for origin, colour in origins.items():
        if origin in legend_colours:
            assert legend_colours[origin] == mcolors.to_hex(colour)
    shares = figures["stance_by_group"].fig.axes[0]
    assert shares.get_xlim()[1] > 100 and "%" in figures["stance_by_group"].fig.get_supxlabel()
    assert "%" in figures["eval_shares"].fig.axes[0].get_ylabel()


def test_every_caption_names_its_label_source(drawn_figures):
    ctx, figures = drawn_figures
    for stem, d in figures.items():
        if d.labels == "none":
            assert "Does not use stance labels" in d.caption, stem
        if d.labels in {"model", "gold and model", "label sources"}:
            assert "model labels" in d.caption or "labels of the selected classifier" in d.caption, stem
        if d.labels in {"gold", "gold and model"}:  # who annotated, said plainly (the seed passes are model-based)
            assert "model-based" in d.caption and "not human coders" in d.caption, stem
            assert ctx.provenance.gold in d.caption, stem
    assert ctx.provenance.annotator_kinds == ("model",)


def test_files_embed_fonts_keep_300_dpi_and_carry_no_dates(built_project):
    figures = built_project / "outputs/figures"
    ctx = FigureContext.from_params(load_params(built_project / "params.yaml"))
    for spec in registered_figures():
        pdf = (figures / f"{spec.stem}.pdf").read_bytes()
        assert b"/FontFile2" in pdf and b"/Type3" not in pdf, spec.stem  # TrueType, no Type 3
        assert b"/CreationDate" not in pdf and b"/Producer" not in pdf
        svg = (figures / f"{spec.stem}.svg").read_text(encoding="utf-8")
        assert "<dc:date>" not in svg and "Matplotlib v" not in svg
        assert f"<dc:title>{spec.title}</dc:title>" in svg
        png = Image.open(figures / f"{spec.stem}.png")
        assert png.info["dpi"][0] == pytest.approx(300, abs=0.01)
        assert "Software" not in png.info
        assert png.size[0] in {round(300 * ctx.width("single")), round(300 * ctx.width("double"))}


def _digests(folder: Path) -> dict[str, str]:
    files = [
        *sorted((folder / "outputs/figures").iterdir()),
        folder / "outputs/report.html",
        folder / "outputs/report.md",
        folder / "outputs/explorer.html",
        folder / "outputs/plots/vega_offline.html",
    ]
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


@pytest.mark.slow
def test_two_renders_of_the_same_inputs_are_byte_identical(built_project, tmp_path):
    """A second render, in another process with another hash seed, writes the same bytes."""
    copy = tmp_path / "again"
    shutil.copytree(
        built_project, copy, ignore=shutil.ignore_patterns("figures", "report.*", "explorer.html", "vega_offline.html")
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "-m", "pipeline", "--params", str(copy / "params.yaml"), "report"],
        check=True,
        env=env,
        cwd=copy,
        capture_output=True,
    )
    first, second = _digests(built_project), _digests(copy)
    assert set(first) == set(second)
    assert {name for name in first if first[name] != second[name]} == set()


def test_log_axis_png_does_not_change_when_log10_is_one_ulp_off(built_project, tmp_path, monkeypatch):
    """numpy's log10 may differ in the last bit on another CPU (AVX-512 machines use their own
    SIMD code); antialiased PNG pixels showed such a change while the SVG did not. The vocabulary
    scatter's log axis rounds log10, so its PNG must not notice (docs/determinism.md)."""
    from pipeline.figures import get_figure, save_figure

    spec = get_figure("framing_vocabulary")
    params = load_params(built_project / "params.yaml")  # framing_terms as this code writes it

    def png_pixels(name: str) -> np.ndarray:
        drawn = draw(spec, FigureContext.from_params(params))
        [path] = save_figure(drawn.fig, tmp_path / name, ("png",), dpi=150)
        return np.asarray(Image.open(path))

    exact = png_pixels("exact")
    log10 = np.log10

    def one_ulp_up(x, *args, **kwargs):
        exact_log = log10(x, *args, **kwargs)
        return np.where(np.isfinite(exact_log), np.nextafter(exact_log, np.inf), exact_log)

    monkeypatch.setattr(np, "log10", one_ulp_up)
    assert np.array_equal(png_pixels("one_ulp_up"), exact)
