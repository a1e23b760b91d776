"""outputs/report.html in headless Chromium: it paints, every figure loads, no script runs.

Needs the Debian packages chromium and chromium-driver (`make browser` installs
them under CI=true) and selenium (the test extra); skips with a message otherwise.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import ATTACK, ATTACK_AUTHOR, ATTACK_INPUT, ATTACK_TITLE
from PIL import Image

from pipeline.figures import registered_figures

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--window-size=1200,2400",
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")  # session: it skips before the session-scoped projects are built
def browser(tmp_path_factory):
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")
    if not (CHROMIUM.is_file() and CHROMEDRIVER.is_file()):
        pytest.skip(
            f"headless Chromium not found ({CHROMIUM}, {CHROMEDRIVER}); "
            "install the Debian packages chromium and chromium-driver, or run `CI=true make browser`"
        )
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tmp_path_factory.mktemp("chromium-profile")
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def open_report(driver, path: Path) -> None:
    driver.get(path.resolve().as_uri())
    assert driver.execute_script("return document.readyState") == "complete"


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
