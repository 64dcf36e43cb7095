"""Accessibility: axe-core in headless Chromium finds no serious or critical violation on
the form, a result page (light, dark, phone width), the form with an error, /batch, and the
glossary (light, dark, phone) and memory pages with entries on them."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.browser import (ARTIFACTS, browser_required, make_driver, needs_browser, policy_violations, screenshot,
                           submit_article)
from tests.fetch_axe import AXE_JS, VERSION

HARBOUR = (Path(__file__).parent / "data" / "harbour_strike.txt").read_text()
DESKTOP, PHONE = (1280, 1800), (390, 844)
BLOCKING = ("serious", "critical")
# axe.run resolves with its results; done() hands them (or the error) back to Selenium.
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
  .then(results => done({violations: results.violations}))
  .catch(error => done({error: String(error)}));
"""


@pytest.fixture
def app(make_app, install):
    install("en_ar", "en_de", "en_ru")
    return make_app(max_characters=20_000, max_request_bytes=200_000)


@pytest.fixture(scope="module")
def axe_source() -> str:
    """axe.min.js as `make axe` left it; never fetched here (the tests stay off the network)."""
    if not AXE_JS.is_file():
        message = f"axe-core {VERSION} is not at {AXE_JS}: run `make axe` (`make test` runs it)"
        if browser_required:  # CI: the check must run
            pytest.fail(message)
        pytest.skip(message)
    return AXE_JS.read_text(encoding="utf-8")


def open_form(driver, url):
    driver.get(url)


def open_result(driver, url):
    from selenium.webdriver.common.by import By

    submit_article(driver, url, HARBOUR)
    assert driver.find_elements(By.ID, "result"), "the article did not render"


def open_result_dark(driver, url):
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    open_result(driver, url)
    assert driver.execute_script("return matchMedia('(prefers-color-scheme: dark)').matches") is True


def open_result_working(driver, url):
    """A result with the left-out lines open and a translated sentence being edited."""
    from selenium.webdriver.common.by import By

    open_result(driver, url)
    driver.find_element(By.CSS_SELECTOR, "#removed summary").click()
    driver.find_element(By.CSS_SELECTOR, ".translation .s").click()
    assert driver.find_elements(By.CSS_SELECTOR, "#removed[open] form.put-back"), "no line to put back in sight"
    assert driver.find_elements(By.CSS_SELECTOR, ".editbar"), "the sentence did not open for editing"


def open_error(driver, url):
    from selenium.webdriver.common.by import By

    submit_article(driver, url, "   ")
    assert driver.find_elements(By.ID, "error"), "the empty article showed no inline error"


def open_batch(driver, url):
    try:
        urllib.request.urlopen(url + "batch", timeout=10).close()  # the live server on 127.0.0.1
    except urllib.error.HTTPError as error:
        pytest.fail(f"GET /batch answers {error.code}: the batch page is not served yet")
    driver.get(url + "batch")


def open_batch_finished(driver, url, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.test_batch_page import article_files, submit_in_browser

    submit_in_browser(driver, url, article_files(tmp_path))
    WebDriverWait(driver, 60).until(lambda d: d.find_element(By.ID, "job").get_attribute("data-state") == "finished")
    WebDriverWait(driver, 10).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#articles button.open")) == 2)


def send_form(driver, form_id: str) -> None:
    """Submit the form and wait for the page it answers with."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    form = driver.find_element(By.ID, form_id)
    driver.execute_script("arguments[0].requestSubmit()", form)  # as its button does, wherever it sits
    WebDriverWait(driver, 10).until(expected_conditions.staleness_of(form))


def open_glossary(driver, url):
    from selenium.webdriver.common.by import By

    driver.get(url + "glossary")
    for name, value in (("source_term", "Gadhafi"), ("target_term", "Gaddafi")):
        driver.find_element(By.CSS_SELECTOR, f"#add-term input[name={name}]").send_keys(value)
    send_form(driver, "add-term")
    driver.find_element(By.CSS_SELECTOR, "#keep-term input[name=term]").send_keys("NTC")
    send_form(driver, "keep-term")
    assert driver.find_elements(By.ID, "terms") and driver.find_elements(By.ID, "kept"), "the terms were not stored"
    assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"), \
        "the page is wider than the window: only its tables may scroll sideways"


def open_glossary_dark(driver, url):
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    open_glossary(driver, url)


def open_memory(driver, url):
    from selenium.webdriver.common.by import By

    driver.get(url + "memory")
    driver.find_element(By.ID, "sentence").send_keys("Ships wait.")
    driver.find_element(By.ID, "translation").send_keys("السفن تنتظر.")
    driver.find_element(By.CSS_SELECTOR, "#add-correction select[name=target] option[value=ar]").click()
    send_form(driver, "add-correction")
    assert driver.find_elements(By.ID, "entries"), "the correction was not listed"


def open_docs(driver, url):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url + "docs")
    operation = "#operations-default-post_api_v1_process"
    WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, operation))
    # One operation open, as a reader has it: its example, its parameters and its answers.
    driver.find_element(By.CSS_SELECTOR, f"{operation} .opblock-summary-control").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, f"{operation} .responses-table"))


def open_docs_dark(driver, url):
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    open_docs(driver, url)


def describe(violations: list[dict]) -> str:
    """Each violation's rule, impact, help and offending nodes, for the developer who fixes it."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            lines.append(f"  at {' '.join(map(str, node['target']))}: {node['html']}")
            summary = (node.get("failureSummary") or "").replace("\n", " | ")
            if summary:
                lines.append(f"    {summary}")
    return "\n".join(lines)


def run_axe(driver, source: str) -> list[dict]:
    """Inject axe.min.js (WebDriver's script, which the page's CSP does not govern) and run it."""
    driver.execute_script(source)
    assert driver.execute_script("return typeof axe") == "object", "axe.min.js did not load into the page"
    driver.set_script_timeout(120)
    outcome = driver.execute_async_script(RUN_AXE)
    assert "error" not in outcome, f"axe.run failed: {outcome.get('error')}"
    return outcome["violations"]


PAGES = [
    pytest.param(open_form, DESKTOP, id="form"),
    pytest.param(open_result, DESKTOP, id="result"),
    pytest.param(open_error, DESKTOP, id="error"),
    pytest.param(open_batch, DESKTOP, id="batch"),
    pytest.param(open_result_dark, DESKTOP, id="result-dark"),
    pytest.param(open_result, PHONE, id="result-phone"),
    pytest.param(open_result_working, DESKTOP, id="result-working"),
    pytest.param(open_glossary, DESKTOP, id="glossary"),
    pytest.param(open_glossary_dark, DESKTOP, id="glossary-dark"),
    pytest.param(open_glossary, PHONE, id="glossary-phone"),
    pytest.param(open_memory, DESKTOP, id="memory"),
    pytest.param(open_batch_finished, DESKTOP, id="batch-finished"),
    pytest.param(open_docs, DESKTOP, id="docs"),
    pytest.param(open_docs_dark, DESKTOP, id="docs-dark"),
]


@needs_browser
@pytest.mark.parametrize("open_page, size", PAGES)
def test_axe_finds_no_serious_or_critical_violation(open_page, size, request, axe_source, live_url, tmp_path):
    name = request.node.callspec.id
    driver = make_driver(tmp_path, size=size)
    try:
        if open_page is open_batch_finished:  # the one that uploads files of its own
            open_page(driver, live_url, tmp_path)
        else:
            open_page(driver, live_url)
        violations = run_axe(driver, axe_source)
        screenshot(driver, f"axe-{name}.png")
        assert policy_violations(driver) == []  # axe ran without loosening the page's policy
    finally:
        driver.quit()
    # Every violation, minor and moderate too, for whoever works on the templates.
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(violations, indent=2), encoding="utf-8")
    blocking = [violation for violation in violations if violation["impact"] in BLOCKING]
    assert not blocking, f"axe-core {VERSION} on {name}:\n{describe(blocking)}"
