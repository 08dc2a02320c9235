"""Headless Chromium through Selenium, for tests that use the browser chat as an owner would.

Only Debian's `chromium` and `chromium-driver` are used, named by path, so Selenium Manager never goes
looking for (or downloading) a browser or a driver of its own: the test machines have no network.
"""

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver

BROWSER = "chromium"
DRIVER = "chromedriver"
# What works as root, without a screen, on a closed network; each `--disable-…` stops a call home
# that would only wait for a timeout (or log an error) on these machines.
FLAGS = (
    "--headless",
    "--no-sandbox",  # the sandbox refuses to run as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",  # containers give /dev/shm 64 MB, too little for a renderer
)
PAGE_LOAD_SECONDS = 30


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here (the browser or its driver is not installed), or None."""
    missing = [name for name in (BROWSER, DRIVER) if shutil.which(name) is None]
    if not missing:
        return None
    return (f"{' and '.join(missing)} not found: browser tests skipped "
            "(install Debian's chromium and chromium-driver; `make test` tries to)")


@contextmanager
def chromium() -> Iterator[WebDriver]:
    """A headless Chromium with a profile of its own, quit (and its profile removed) when the block ends."""
    browser, driver_path = shutil.which(BROWSER), shutil.which(DRIVER)
    if browser is None or driver_path is None:
        raise RuntimeError(chromium_missing())
    os.environ["SE_OFFLINE"] = "true"  # should anything still ask Selenium Manager, it must not download
    # A fresh profile: no cookie or cache of an earlier run can make a test pass (or fail) by accident.
    with tempfile.TemporaryDirectory(prefix="tabe-chromium-", ignore_cleanup_errors=True) as profile:
        options = Options()
        options.binary_location = browser
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={profile}")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # so the console can be read back
        driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
        try:
            driver.set_page_load_timeout(PAGE_LOAD_SECONDS)
            yield driver
        finally:
            driver.quit()
