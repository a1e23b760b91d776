"""The sentence explorer (pipeline.report.explorer): bounded, deterministic, offline, filterable, inert.

The browser tests run headless Chromium offline (tests/chromium.py): a page
that reached for the network would fail to render, and the page's CSP would
log the attempt as a console error. They skip with a message without Chromium.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from chromium import console_problems, offline_chromium
from markupsafe import escape

from pipeline.report import explorer_data
from pipeline.report.explorer import MAX_SENTENCES, explorer_html

STANCE_COLOURS = {"against": "#D55E00", "favor": "#0072B2", "neutral": "#999999"}
ORIGIN_COLOURS = {"Indian": "#E69F00", "Russian": "#CC79A7", "Ukrainian": "#009E73"}
HOSTILE_DOC = 'zz-<img src=x onerror="window.pwned = 3">'  # shown in the document dropdown and the list
HOSTILE_SENTENCE = (
    '<script>window.pwned = 1</script> Russia <img src=x onerror="window.pwned = 2"> says </script><b>bold</b>'
)
WORDS = [
    "war",
    "sanctions",
    "peace",
    "talks",
    "grain",
    "corridor",
    "energy",
    "security",
    "border",
    "army",
    "aid",
    "treaty",
    "nuclear",
    "drones",
    "refugees",
    "diplomacy",
    "embargo",
    "ceasefire",
    "election",
    "economy",
]


def synthetic_units(n_docs: int, units_per_doc: int, seed: int = 0) -> pd.DataFrame:
    """Units of made-up documents: three origin groups, two targets, a mention in every sentence."""
    rng = np.random.default_rng(seed)
    n = n_docs * units_per_doc
    doc, sent = np.divmod(np.arange(n), units_per_doc)
    mention = np.where(sent % 2 == 0, "Russia", "Kyiv")
    words = np.asarray(WORDS)[rng.integers(0, len(WORDS), size=(n, 14))]
    before = [" ".join(row[:6]) + " " for row in words]
    labels = np.asarray(list(STANCE_COLOURS))
    model = labels[rng.integers(0, 3, n)]
    source = np.asarray(["gold", "ppi", "model"])[(doc + sent) % 3]
    gold = np.where(source == "model", "", labels[rng.integers(0, 3, n)])
    return pd.DataFrame(
        {
            "doc_id": [f"doc-{d:05d}" for d in doc],
            "author_origin": np.asarray(list(ORIGIN_COLOURS))[doc % 3],
            "target": np.where(sent % 2 == 0, "russia", "ukraine"),
            "sent_id": sent,
            "sentence": [
                b + m + " " + " ".join(row[6:]) + "." for b, m, row in zip(before, mention, words, strict=True)
            ],
            "mention_starts": [[len(b)] for b in before],
            "mention_ends": [[len(b) + len(m)] for b, m in zip(before, mention, strict=True)],
            "label": np.where(gold == "", model, gold),
            "label_source": source,
            "gold_label": gold,
            "model_label": model,
            "p_model": rng.uniform(0.34, 0.99, n),
        }
    )


def with_hostile_unit(units: pd.DataFrame) -> pd.DataFrame:
    start = HOSTILE_SENTENCE.index("Russia")
    hostile = {
        "doc_id": HOSTILE_DOC,
        "author_origin": "Russian",
        "target": "russia",
        "sent_id": 0,
        "sentence": HOSTILE_SENTENCE,
        "mention_starts": [start],
        "mention_ends": [start + 6],
        "label": "against",
        "label_source": "gold",
        "gold_label": "against",
        "model_label": "neutral",
        "p_model": 0.5,
    }
    return pd.concat([units, pd.DataFrame([hostile])], ignore_index=True)


def page(units: pd.DataFrame, **kwargs) -> str:
    return explorer_html(units, stance_colours=STANCE_COLOURS, origin_colours=ORIGIN_COLOURS, **kwargs)


@pytest.fixture(scope="module")
def small_units() -> pd.DataFrame:
    return with_hostile_unit(synthetic_units(n_docs=12, units_per_doc=10))


@pytest.fixture(scope="module")
def small_page(small_units, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("explorer") / "explorer.html"
    path.write_text(page(small_units), encoding="utf-8")
    return path


# ---------------------------------------------------------------- without a browser


def test_same_input_gives_the_same_bytes_whatever_the_row_order(small_units, small_page):
    shuffled = small_units.sample(frac=1.0, random_state=7).reset_index(drop=True)
    assert page(shuffled) == small_page.read_text(encoding="utf-8")


def test_page_size_is_bounded_at_5000_documents():
    """5,000 documents x 12 units: the page embeds the cap (MAX_SENTENCES) and stays a few megabytes;
    beyond the cap it grows only with the aggregates (document list, counts, term points)."""
    units = synthetic_units(n_docs=5000, units_per_doc=12)
    started = time.perf_counter()
    html = page(units)
    seconds = time.perf_counter() - started
    spec = json.loads(re.search(r'id="explorer-spec">(.*?)</script>', html, re.DOTALL).group(1))
    embedded = [rows for rows in spec["datasets"].values() if rows and "before" in rows[0]]
    assert len(embedded) == 1 and sum(row["draw"] >= 0 for row in embedded[0]) == MAX_SENTENCES  # + a marker row
    assert f"This page embeds {MAX_SENTENCES} of 60000 units" in html
    assert len(html.encode("utf-8")) < 6_000_000, f"{len(html) / 1e6:.1f} MB"
    assert seconds < 120, f"{seconds:.0f} s to build the page"


def test_cap_takes_one_unit_per_cell_before_any_cell_gives_a_second():
    units = synthetic_units(n_docs=30, units_per_doc=8)
    cells = units.groupby(explorer_data.CELL).ngroups
    rank = explorer_data.draw_order(units)
    first = units[rank < cells]
    assert first.groupby(explorer_data.CELL).size().max() == 1
    assert first.groupby(explorer_data.CELL).ngroups == cells
    assert sorted(rank) == list(range(len(units)))


def test_sentence_is_split_around_its_first_mention():
    assert explorer_data.first_mention_split("Kyiv and Russia met", [9, 0], [15, 4]) == ("", "Kyiv", " and Russia met")
    assert explorer_data.first_mention_split("no offsets", [], []) == ("no offsets", "", "")
    assert explorer_data.first_mention_split("bad", [2], [9]) == ("bad", "", "")


def test_markup_stays_inside_the_json_block_and_the_csp_admits_only_the_inline_script(small_page):
    html = small_page.read_text(encoding="utf-8")
    assert "window.pwned" in html and "<script>window.pwned" not in html and "<img src=x" not in html
    assert html.count("</script>") == 2  # the JSON block and the Vega bundle: no sentence closes either
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "default-src 'none'" in csp and "unsafe-eval" not in csp and "unsafe-inline" not in csp
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+';", csp)


@pytest.fixture(scope="module")
def empty_page(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("explorer-empty") / "explorer.html"
    path.write_text(page(synthetic_units(0, 0)), encoding="utf-8")
    return path


def test_no_units_still_give_a_page(empty_page):
    assert "This page embeds 0 of 0 units" in empty_page.read_text(encoding="utf-8")


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="p_model"):
        page(synthetic_units(2, 2).drop(columns="p_model"))


# ---------------------------------------------------------------- in headless Chromium


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    yield from offline_chromium(tmp_path_factory)


def open_page(driver, path: Path) -> None:
    driver.get(path.resolve().as_uri())
    wait_for(driver, "return document.querySelectorAll('g[class*=\"kwic_mention\"] > text').length > 0")


def wait_for(driver, script: str, seconds: float = 20) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, seconds, poll_frequency=0.1).until(lambda d: d.execute_script(script))


def wait_for_rows(driver, n: int) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 20, poll_frequency=0.1).until(lambda d: rows_shown(d) == n)


def column(driver, name: str) -> list[str]:
    """The texts of one column of the sentence list (the Vega mark named ``name``), top to bottom."""
    return driver.execute_script(
        r"""
        const named = new RegExp('^' + arguments[0] + '(_\\d+)?_marks$');
        const group = Array.from(document.querySelectorAll('g.role-mark'))
            .find(g => Array.from(g.classList).some(c => named.test(c)));
        return Array.from(group.querySelectorAll(':scope > text'))
            .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top).map(t => t.textContent)""",
        name,
    )


def rows_shown(driver) -> int:
    return len(column(driver, "column_doc_id"))


def pick(driver, select_name: str, value_text: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(By.NAME, select_name)).select_by_visible_text(value_text)


def status(driver) -> str:
    return driver.execute_script("return document.querySelector('g[class*=\"status\"] text').textContent")


@pytest.mark.browser
def test_page_renders_offline_without_console_errors(browser, small_page):
    open_page(browser, small_page)
    assert not console_problems(browser)
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    counts = browser.execute_script("""return {
        selects: document.querySelectorAll('#explorer-controls select').length,
        bars: document.querySelectorAll('g[class*="overview"] path').length,
        terms: document.querySelectorAll('g[class*="term_points"] path').length,
        width: document.documentElement.scrollWidth}""")
    assert counts["selects"] == 5 and counts["bars"] > 0 and counts["terms"] > 0, counts
    assert counts["width"] <= 1280, counts
    assert rows_shown(browser) == 40  # ROWS_SHOWN of 121 units
    assert status(browser).startswith("121 embedded units match")


@pytest.mark.browser
def test_a_page_without_units_renders_and_says_so(browser, empty_page):
    browser.get(empty_page.resolve().as_uri())
    wait_for(browser, "return document.querySelector('g[class*=\"status\"] text') !== null")
    assert status(browser) == "No embedded unit matches the selection."
    assert not console_problems(browser)


@pytest.mark.browser
def test_each_filter_changes_the_rows_shown(browser, small_page, small_units):
    open_page(browser, small_page)
    pick(browser, "pick_doc", "doc-00004 (Russian, 10 units)")
    wait_for_rows(browser, 10)
    assert set(column(browser, "column_doc_id")) == {"doc-00004"}
    pick(browser, "pick_target", "ukraine")
    wait_for_rows(browser, 5)
    assert set(column(browser, "column_target")) == {"ukraine"}
    assert set(column(browser, "kwic_mention")) == {"Kyiv"}
    pick(browser, "pick_doc", "all")
    pick(browser, "pick_label", "favor")
    pick(browser, "pick_source", "model")
    expected = small_units.query("target == 'ukraine' and label == 'favor' and label_source == 'model'")
    wait_for_rows(browser, len(expected))
    assert sorted(column(browser, "column_doc_id")) == sorted(expected["doc_id"])
    assert set(column(browser, "column_label")) == {"favor"}
    assert set(column(browser, "column_label_source")) == {"model"}
    pick(browser, "pick_origin", "Indian")
    expected = expected[expected["author_origin"] == "Indian"]
    wait_for_rows(browser, len(expected))
    assert sorted(column(browser, "column_doc_id")) == sorted(expected["doc_id"])


def hover_tooltip(driver, element) -> dict[str, str]:
    """Hover ``element`` and read the tooltip's key/value rows."""
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).move_to_element(element).perform()
    wait_for(driver, "return document.querySelector('#vg-tooltip-element.visible') !== null")
    return driver.execute_script("""return Object.fromEntries(Array.from(document.querySelectorAll(
        '#vg-tooltip-element tr')).map(r => [r.cells[0].textContent, r.cells[1].textContent]))""")


def click_and_wait_for_a_new_status(driver, element) -> str:
    from selenium.webdriver.common.action_chains import ActionChains

    before = status(driver)
    ActionChains(driver).move_to_element(element).click().perform()
    WebDriverWait = pytest.importorskip("selenium.webdriver.support.ui").WebDriverWait
    WebDriverWait(driver, 20, poll_frequency=0.1).until(lambda d: status(d) != before)
    return status(driver)


@pytest.mark.browser
def test_clicking_a_bar_or_a_term_lists_its_sentences(browser, small_page, small_units):
    from selenium.webdriver.common.by import By

    open_page(browser, small_page)
    bar = browser.find_elements(By.CSS_SELECTOR, 'g[class*="overview"] path')[0]
    cell = hover_tooltip(browser, bar)
    assert click_and_wait_for_a_new_status(browser, bar).startswith(f"{cell['units']} embedded units match")
    in_cell = small_units[
        (small_units["author_origin"] == cell["group"])
        & (small_units["target"] == cell["target"])
        & (small_units["label"] == cell["label used"])
    ]
    assert 0 < len(in_cell) == int(cell["units"]) <= 40  # every unit of the cell is listed
    assert sorted(column(browser, "column_doc_id")) == sorted(in_cell["doc_id"])
    assert set(column(browser, "column_label")) == {cell["label used"]}
    assert set(column(browser, "column_target")) == {cell["target"]}

    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(browser).double_click(bar).perform()  # clears the selection
    wait_for(browser, "return document.querySelector('g[class*=\"status\"] text').textContent.startsWith('121 ')")
    point = browser.find_elements(By.CSS_SELECTOR, 'g[class*="term_points"] path')[0]
    term = hover_tooltip(browser, point)["term"]
    users = small_units[small_units["sentence"].str.lower().str.contains(rf"\b{term}\b")]
    assert click_and_wait_for_a_new_status(browser, point).startswith(f"{len(users)} embedded units match"), term
    listed = Counter(column(browser, "column_doc_id"))
    assert listed.total() == min(len(users), 40) and not listed - Counter(users["doc_id"])


@pytest.mark.browser
def test_markup_in_a_sentence_stays_inert(browser, small_page):
    from selenium.webdriver.common.by import By

    open_page(browser, small_page)
    pick(browser, "pick_doc", f"{HOSTILE_DOC} (Russian, 1 units)")
    wait_for_rows(browser, 1)
    before, mention = column(browser, "kwic_before")[0], column(browser, "kwic_mention")[0]
    assert (before.strip(), mention) == ("<script>window.pwned = 1</script>", "Russia")  # the markup, as text
    assert column(browser, "column_doc_id")[0].startswith("zz-<img src=x onerror")  # cut to its column's width
    tooltip = hover_tooltip(browser, browser.find_element(By.CSS_SELECTOR, 'g[class*="kwic_mention"] > text'))
    assert tooltip["sentence"] == HOSTILE_SENTENCE and tooltip["document"] == HOSTILE_DOC
    assert browser.execute_script("return window.pwned") is None
    planted = browser.execute_script(
        "return document.querySelectorAll('img, [onerror], script:not([type]), script[src]').length"
    )
    assert planted == 1, "an element came from the data"  # the one script is the Vega bundle; the spec is JSON


# ---------------------------------------------------------------- as the report stage writes it


def embedded_units(html: str) -> pd.DataFrame:
    spec = json.loads(re.search(r'id="explorer-spec">(.*?)</script>', html, re.DOTALL).group(1))
    rows = next(rows for rows in spec["datasets"].values() if rows and "before" in rows[0])
    return pd.DataFrame([row for row in rows if row["draw"] >= 0])


def test_report_stage_builds_the_explorer_from_the_compare_outputs(built_project):
    """Every unit behind a figure, with its mention, the model's label and probability and the gold label."""
    html = (built_project / "outputs/explorer.html").read_text(encoding="utf-8")
    evidence = pd.read_csv(built_project / "outputs/tables/compare/stance_evidence.csv")
    included = evidence[evidence["included"]]
    assert f"This page embeds {len(included)} of {len(included)} units" in html
    shown = embedded_units(html).merge(included, on=["doc_id", "sent_id", "target"], suffixes=("", "_evidence"))
    assert len(shown) == len(included)
    assert (shown["label"] == shown["label_evidence"]).all()
    # complete gold on the seed corpus: compare reports gold (stance.labels auto), and so does the explorer
    assert set(shown["label_source"]) == set(included["label_source"]) == {"gold"}
    stances = pd.read_parquet(built_project / "outputs/data/stances.parquet")
    joined = shown.merge(stances, on=["doc_id", "sent_id", "target"], suffixes=("", "_stance"))
    assert (joined["model_label"] == joined["label_stance"]).all()
    assert np.allclose(joined["p_model"], joined[["p_against", "p_favor", "p_neutral"]].max(axis=1), atol=1e-3)
    assert set(shown["gold_label"]) <= {"against", "favor", "neutral"}  # the seed corpus: every unit has gold
    assert (shown["mention"] != "").all()
    assert "Labels: label used (figures and tables): gold v2 labels" in html
    annotators = json.loads((built_project / "outputs/metrics/gold.json").read_text(encoding="utf-8"))["annotators"]
    assert "model-based" in annotators and escape(annotators) in html  # who made the gold column's labels


@pytest.mark.browser
def test_report_stage_explorer_loads_offline_and_its_filters_work(browser, built_project):
    evidence = pd.read_csv(built_project / "outputs/tables/compare/stance_evidence.csv")
    included = evidence[evidence["included"]]
    open_page(browser, built_project / "outputs/explorer.html")
    assert not console_problems(browser)
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    assert status(browser).startswith(f"{len(included)} embedded units match")
    per_doc = included.groupby("doc_id").size().sort_values(kind="stable")
    doc, n = per_doc.index[0], int(per_doc.iloc[0])
    origin = included.loc[included["doc_id"] == doc, "author_origin"].iloc[0]
    pick(browser, "pick_doc", f"{doc} ({origin}, {n} units)")
    wait_for_rows(browser, min(n, 40))
    assert set(column(browser, "column_doc_id")) == {doc}
    target = included.loc[included["doc_id"] == doc, "target"].value_counts().index[-1]
    in_target = included[(included["doc_id"] == doc) & (included["target"] == target)]
    pick(browser, "pick_target", target)
    wait_for_rows(browser, min(len(in_target), 40))
    assert set(column(browser, "column_target")) == {target}
    assert not console_problems(browser)
