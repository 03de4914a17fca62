"""`pipeline serve` in a real headless Chromium (Selenium and Debian's chromium-driver).

A reviewer logs in, approves one entry with the keyboard and edits another; the PO file then
differs from before in exactly those two entries and passes `msgfmt --check`. A `<script>` in a
source or translation is shown as text and never runs.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from serve_helpers import (
    PASSWORD,
    SCRIPT_SOURCE,
    STALE_SOURCE,
    entries_of,
    key_of,
    po,
    serving,
    write_project,
)

from pipeline.catalog import state_of
from pipeline.model import State
from pipeline.serve.users import add_user

pytestmark = pytest.mark.loopback

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WELCOME = "Welcome to the review."
MACHINE_SOURCE = "We publish below an interview with KRAS."
EDITED = "Níže otiskujeme rozhovor se skupinou KRAS."


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("chromium and chromium-driver are not installed (apt: chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1100,900",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver: Any, condition: Any, timeout: float = 15) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def test_review_with_the_keyboard_in_chromium(tmp_path: Path, browser: Any) -> None:
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec

    config = write_project(tmp_path / "project")
    add_user(config, "jana", ["cs"], PASSWORD)
    path = po(config, "cs")
    before = entries_of(path)
    with serving(config) as server:
        browser.get(f"{server.origin}/login")
        browser.find_element(By.ID, "name").send_keys("jana")
        browser.find_element(By.ID, "password").send_keys(PASSWORD, Keys.ENTER)
        wait_for(browser, ec.url_to_be(f"{server.origin}/"))

        # Approve the first entry to review with the key `a`.
        browser.get(f"{server.origin}/d/cs/doc")
        browser.find_element(By.CSS_SELECTOR, "table.entries tbody a").click()
        wait_for(browser, ec.presence_of_element_located((By.ID, "approve")))
        assert browser.find_element(By.ID, "source").text == WELCOME
        browser.find_element(By.TAG_NAME, "body").send_keys("a")
        wait_for(browser, ec.text_to_be_present_in_element((By.ID, "notice"), "approved"))

        # The next entry: `e` into the box, type, Ctrl+Enter saves the edit.
        assert browser.find_element(By.ID, "source").text == MACHINE_SOURCE
        browser.find_element(By.TAG_NAME, "body").send_keys("e")
        box = browser.switch_to.active_element
        assert box.get_attribute("id") == "text"
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys(EDITED)
        box.send_keys(Keys.CONTROL, Keys.ENTER)
        wait_for(browser, ec.text_to_be_present_in_element((By.ID, "notice"), "saved"))
        assert browser.find_element(By.ID, "text").get_attribute("value") == EDITED

        # `s` skips to the next entry, `b` comes back; neither saves anything.
        box = browser.find_element(By.ID, "text")
        browser.execute_script("arguments[0].blur()", box)
        browser.find_element(By.TAG_NAME, "body").send_keys("s")
        wait_for(browser, ec.text_to_be_present_in_element((By.ID, "source"), STALE_SOURCE))
        browser.find_element(By.TAG_NAME, "body").send_keys("b")
        wait_for(browser, ec.text_to_be_present_in_element((By.ID, "source"), MACHINE_SOURCE))

        # A script in the English and in the translation is text, and does not run.
        for page in (
            f"/e/cs/doc/{key_of(SCRIPT_SOURCE)}",
            "/d/cs/doc?state=all",
            "/preview/cs/doc",
        ):
            browser.get(server.origin + page)
            wait_for(browser, ec.presence_of_element_located((By.TAG_NAME, "body")))
            with pytest.raises(NoAlertPresentException):
                browser.switch_to.alert.text  # noqa: B018
            assert browser.execute_script("return typeof window.pwned") == "undefined"
            assert "<script>window.pwned=1;alert(" in browser.find_element(By.TAG_NAME, "body").text
        browser.get(f"{server.origin}/e/cs/doc/{key_of(SCRIPT_SOURCE)}")
        assert "<img src=x" in browser.find_element(By.ID, "text").get_attribute("value")

    after = entries_of(path)
    changed = sorted(key for key in before if before[key] != after[key])
    assert changed == [(None, MACHINE_SOURCE), (None, WELCOME)]
    assert set(after) == set(before)
    approved, edited = after[(None, WELCOME)], after[(None, MACHINE_SOURCE)]
    assert state_of(approved) is State.REVIEWED
    assert approved.msgstr == before[(None, WELCOME)].msgstr
    assert any(c.startswith("reviewed-by: jana ") for c in approved.translator_comments)
    assert edited.msgstr == EDITED and state_of(edited) is State.EDITED
    msgfmt = shutil.which("msgfmt")
    assert msgfmt is not None
    check = subprocess.run(
        [msgfmt, "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
