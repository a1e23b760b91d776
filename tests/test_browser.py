"""outputs/report.html in headless Chromium at 1280 px: it fits, every number shows, every figure loads,
no script runs.

Chromium runs offline (tests/chromium.py); the tests skip with a message without it.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from chromium import WIDTH, console_problems, offline_chromium
from conftest import ATTACK, ATTACK_AUTHOR, ATTACK_INPUT, ATTACK_TITLE
from PIL import Image

from pipeline.figures import registered_figures

MAX_HEIGHT = 15_000
"""The report's page height at 1280 px, in CSS pixels (issue #16)."""

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")  # session: it skips before the session-scoped projects are built
def browser(tmp_path_factory):
    yield from offline_chromium(tmp_path_factory)


def open_report(driver, path: Path) -> None:
    """Open the page and wait until it and every image have loaded (a large page can return 'interactive')."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(path.resolve().as_uri())
    WebDriverWait(driver, 60, poll_frequency=0.2).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


def test_report_paints_and_every_figure_loads(browser, built_project):
    open_report(browser, built_project / "outputs/report.html")
    images = browser.execute_script(
        "return Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.naturalHeight, i.alt])"
    )
    assert len(images) == len(registered_figures())
    for complete, width, height, alt in images:
        assert complete and width > 0 and height > 0, alt[:60]
    browser.execute_script("document.getElementById('figures').scrollIntoView()")
    shot = np.asarray(Image.open(io.BytesIO(browser.get_screenshot_as_png())).convert("L"))
    inked = (shot < 200).mean()  # share of pixels clearly darker than the white page
    assert inked > 0.01, f"screenshot is (nearly) blank: {inked:.4f} of pixels inked"
    assert len(np.unique(shot)) > 50, "screenshot has too few tones to hold figures and text"


def test_markup_in_the_corpus_stays_inert(browser, hostile_project):
    """Markup planted in sentences and manifest fields is shown as text and builds no element."""
    open_report(browser, hostile_project / "outputs/report.html")
    assert browser.execute_script("return window.pwned") is None
    planted = browser.execute_script(
        "return document.querySelectorAll('video, input, script, img:not([src^=\"data:image/\"])').length"
    )
    assert planted == 0, "corpus markup became elements of the page"
    body = browser.execute_script("return document.body.innerText")
    for text in (ATTACK, ATTACK_INPUT, ATTACK_TITLE, ATTACK_AUTHOR):  # shown to the reader as typed
        assert text in body, text


LAYOUT = """
const doc = document.documentElement, W = doc.clientWidth;
const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' ' + e.textContent.trim().slice(0, 40);
const scrolls = Array.from(document.querySelectorAll('body *')).filter(
    e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible').map(name);
const outside = Array.from(document.querySelectorAll('body *')).filter(e => {
    const r = e.getBoundingClientRect(); return r.width > 0 && (r.right > W + 0.5 || r.left < -0.5); }).map(name);
const numbers = Array.from(document.querySelectorAll('td.num'));
const hidden = numbers.filter(e => {
    const r = e.getBoundingClientRect();
    return r.width === 0 || r.right > W || e.scrollWidth > e.clientWidth + 1; }).map(name);
const evaluation = Array.from(document.querySelectorAll('#evaluation td.num')).map(e => e.textContent);
return {W, width: doc.scrollWidth, height: doc.scrollHeight, scrolls, outside, hidden,
        n_numbers: numbers.length, evaluation};
"""


@pytest.mark.parametrize("project", ["built_project", "hostile_project"])
def test_report_fits_1280_px_and_shows_every_number(browser, project, request):
    """No horizontal overflow anywhere, at most MAX_HEIGHT px tall, every numeric cell on screen and unclipped."""
    root = request.getfixturevalue(project)
    browser.set_window_size(WIDTH, 1000)
    open_report(browser, root / "outputs/report.html")
    layout = browser.execute_script(LAYOUT)
    assert layout["width"] <= layout["W"] <= WIDTH, f"page {layout['width']} px wide in a {layout['W']} px window"
    assert layout["height"] <= MAX_HEIGHT, f"page {layout['height']} px tall"
    assert not layout["scrolls"], f"elements that scroll sideways: {layout['scrolls'][:5]}"
    assert not layout["outside"], f"elements past the window's edge: {layout['outside'][:5]}"
    assert not layout["hidden"], f"numbers off-screen or clipped: {layout['hidden'][:5]}"
    html = (root / "outputs/report.html").read_text(encoding="utf-8")
    assert layout["n_numbers"] == html.count('<td class="num">') > 0  # every numeric cell was measured
    assert len(layout["evaluation"]) >= 2, layout["evaluation"]
    assert not console_problems(browser)
