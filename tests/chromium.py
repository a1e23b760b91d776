"""Headless Chromium for the browser tests, offline: every host name unresolvable, a proxy on a dead port.

A page that reached for the network (a CDN script, a font) would fail to
render, and its attempt shows as a console error. Needs the Debian packages
chromium and chromium-driver (`make browser` installs them under CI=true)
and selenium (the test extra); the fixture skips with a message otherwise.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WIDTH = 1280
"""The width the report and the explorer must fit (issue #16)."""
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    f"--window-size={WIDTH},1600",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
)


def offline_chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """A WebDriver for headless Chromium without network, with the browser console recorded."""
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
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def console_problems(driver) -> list[dict]:
    """Console errors and warnings since the last call (reading the log empties it)."""
    return [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
