"""The web form: server-side behaviour (test client) and a real browser (headless Chromium)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.browser import ARTIFACTS, make_driver, needs_browser, policy_violations

HARBOUR = (Path(__file__).parent / "data" / "harbour_strike.txt").read_text()
LEAD = "Dock workers in Rotterdam ended a five-day strike on Tuesday after unions accepted a new pay offer from port operators."


@pytest.fixture
def app(make_app, install):
    install("en_ar", "en_de", "en_ru")
    return make_app(max_characters=20_000, max_request_bytes=200_000)


def test_the_empty_form_has_every_choice_with_sensible_defaults(client):
    page = client.get("/").get_data(as_text=True)
    for code in ("ar", "de", "ru"):
        assert f'<input type="checkbox" name="target" value="{code}" checked>' in page
    assert '<option value="news" selected>news (default)</option>' in page
    assert '<option value="auto" selected>detect automatically</option>' in page
    assert "http://" not in page and "https://" not in page  # nothing from the internet


def test_a_posted_article_renders_on_the_server(client):
    response = client.post("/", data={"text": HARBOUR, "target": ["ar", "de"], "summary": "2"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<article class="block translation rtl" id="lang-ar" lang="ar" dir="rtl">' in page
    assert '<article class="block translation" id="lang-de" lang="de" dir="ltr">' in page
    assert 'id="lang-ru"' not in page
    assert f'<span class="s" data-i="0" title="{LEAD}" tabindex="0">&lt;de&gt; {LEAD}</span>' in page
    # Named after the article (issue 17), not all "article.de.md".
    assert 'download="harbour-strike-ends.de.md"' in page and 'download="harbour-strike-ends.json"' in page
    assert 'download="harbour-strike-ends.de.xlf"' in page


def test_issue13_the_page_lists_what_the_cleaner_left_out(client):
    page = client.post("/", data={"text": HARBOUR, "target": ["de"]}).get_data(as_text=True)
    assert "<summary>Left out of the article: 8 lines from the page</summary>" in page
    assert ('<li><span class="reason">photo or agency credit</span> Image: Reuters</li>') in page
    assert ('<li><span class="reason">image or video caption, with the image&#39;s alt text</span> '
            "Cranes stood idle for most of the weekImage: ANP</li>") in page


def test_an_uploaded_html_file_is_read(client):
    upload = (io.BytesIO(b"<html><body><h1>Harbour strike ends</h1><p>" + LEAD.encode() + b"</p></body></html>"), "story.html")
    page = client.post("/", data={"file": upload, "target": ["de"]}, content_type="multipart/form-data").get_data(as_text=True)
    assert "<h2>Harbour strike ends <small>(English, original" in page


@pytest.mark.parametrize("data, status, message", [
    ({"text": "  ", "target": ["de"]}, 400, "the article is empty: paste or upload the text of a news article"),
    ({"text": "x" * 20_001, "target": ["de"]}, 413,
     "field &#39;text&#39; has 20,001 characters; the limit is 20,000 (NEWSDESK_MAX_CHARACTERS): send a shorter text"),
    ({"text": HARBOUR, "target": ["de"], "summary": "lots"}, 400, "summary length &#39;lots&#39; is not usable"),
], ids=["empty", "too-long", "bad-summary"])
def test_errors_show_inline_and_keep_the_text(client, data, status, message):
    response = client.post("/", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert '<div class="error" role="alert" id="error"><strong>Could not process the article.</strong> ' in page
    assert message in page
    if data["text"].strip():
        assert data["text"][:50] in page  # the editor's text is still in the form


def test_a_missing_pack_shows_the_fix(client, settings):
    from service.translation import packs as langpacks

    langpacks.remove_pack(settings, "en_ru")
    page = client.post("/", data={"text": HARBOUR, "target": ["ru"]}).get_data(as_text=True)
    assert "no en-&gt;ru language pack is installed: put translate-en_ru-*.argosmodel in" in page


def test_page_weight_is_small(client):
    html = client.post("/", data={"text": HARBOUR, "target": ["ar", "de", "ru"]}).data
    css, js = client.get("/static/desk.css").data, client.get("/static/desk.js").data
    assert len(css) + len(js) < 8_000  # all of the page's own code: no framework, no CDN
    assert len(html) < 60_000


# --- in a real browser ----------------------------------------------------------------

@pytest.fixture
def browser(tmp_path):
    driver = make_driver(tmp_path)
    yield driver
    driver.quit()


def _submit(driver, url, text, targets=("ar", "de", "ru")):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)
    driver.find_element(By.ID, "text").send_keys(text)
    for box in driver.find_elements(By.NAME, "target"):
        if (box.get_attribute("value") in targets) != box.is_selected():
            box.click()
    driver.find_element(By.ID, "go").click()
    WebDriverWait(driver, 30).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "#result, #error")))


@needs_browser
def test_in_a_browser_the_results_show_side_by_side_with_arabic_right_to_left(browser, live_url):
    from selenium.webdriver.common.by import By

    _submit(browser, live_url, HARBOUR)
    arabic = browser.find_element(By.ID, "lang-ar")
    assert (arabic.get_attribute("dir"), arabic.get_attribute("lang")) == ("rtl", "ar")
    assert arabic.value_of_css_property("direction") == "rtl"
    assert arabic.value_of_css_property("text-align") == "right"
    assert browser.find_element(By.ID, "lang-de").value_of_css_property("direction") == "ltr"
    assert browser.find_element(By.CSS_SELECTOR, "#lang-de h2").text.startswith("<de> Harbour strike ends")
    translated = browser.find_element(By.CSS_SELECTOR, '#lang-de .s[data-i="0"]')
    assert translated.get_attribute("title") == LEAD  # hovering shows the source sentence
    translated.click()
    assert "linked" in browser.find_element(By.CSS_SELECTOR, '#source .s[data-i="0"]').get_attribute("class")
    assert len(browser.find_elements(By.CSS_SELECTOR, "button.copy")) == 8  # summary and article, 4 blocks
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "desk-result.png"))


@needs_browser
def test_in_a_browser_an_error_shows_inline(browser, live_url):
    from selenium.webdriver.common.by import By

    _submit(browser, live_url, "   ")
    error = browser.find_element(By.ID, "error")
    assert error.text == "Could not process the article. the article is empty: paste or upload the text of a news article"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "desk-error.png"))


@needs_browser
def test_in_a_browser_a_script_in_the_article_is_shown_not_run(browser, live_url):
    from selenium.webdriver.common.by import By

    article = ("Port news\n\nThe customs officers found <script>window.pwned = true;</script> in a crate at the quay today.\n"
               "Officials said the crate was opened by the customs service on Tuesday morning in Rotterdam.")
    _submit(browser, live_url, article, targets=("de",))
    assert browser.execute_script("return window.pwned === undefined") is True
    assert "<script>window.pwned = true;</script>" in browser.find_element(By.ID, "source").text


@needs_browser
def test_in_a_browser_the_page_works_under_its_content_security_policy(browser, live_url):
    from selenium.webdriver.common.by import By

    _submit(browser, live_url, HARBOUR, targets=("de",))  # a real form post: the Origin check lets it in
    assert len(browser.find_elements(By.CSS_SELECTOR, "button.copy")) == 4  # desk.js ran
    assert browser.find_element(By.ID, "lang-de").value_of_css_property("border-top-left-radius") == "8px"  # desk.css
    assert policy_violations(browser) == []
    # The policy is on, and the log would show a breach: an inline script is refused, and said so.
    browser.execute_script("const s = document.createElement('script'); s.textContent = 'window.inlineRan = true';"
                           "document.body.append(s);")
    assert browser.execute_script("return window.inlineRan === undefined") is True
    assert len(policy_violations(browser)) == 1


@needs_browser
def test_without_javascript_the_form_still_works(live_url, tmp_path):
    from selenium.webdriver.common.by import By

    driver = make_driver(tmp_path, javascript=False)
    try:
        _submit(driver, live_url, HARBOUR, targets=("de",))
        assert driver.find_element(By.CSS_SELECTOR, "#lang-de h2").text.startswith("<de> Harbour strike ends")
        assert driver.find_elements(By.CSS_SELECTOR, "button.copy") == []  # the enhancements need JavaScript
    finally:
        driver.quit()


@needs_browser
def test_on_a_phone_width_screen_the_blocks_stack(live_url, tmp_path):
    from selenium.webdriver.common.by import By

    driver = make_driver(tmp_path, size=(390, 844))
    try:
        _submit(driver, live_url, HARBOUR, targets=("ar", "de"))
        source, german = driver.find_element(By.ID, "source"), driver.find_element(By.ID, "lang-de")
        assert source.rect["x"] == german.rect["x"] and german.rect["y"] > source.rect["y"]
        assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(ARTIFACTS / "desk-phone.png"))
    finally:
        driver.quit()


@needs_browser
def test_in_a_browser_the_form_asks_for_a_key_once(browser, make_app, install, tmp_path):
    import threading

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait
    from werkzeug.serving import make_server

    from service import keys

    install("en_de")
    _, key = keys.add_key(tmp_path / "keys.sqlite3", "night-desk")
    server = make_server("127.0.0.1", 0, make_app(api_keys=True, keys_db=tmp_path / "keys.sqlite3"), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/"
    try:
        browser.get(url)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(ARTIFACTS / "desk-key.png"))
        browser.find_element(By.ID, "api_key").send_keys(key)
        browser.find_element(By.ID, "text").send_keys(HARBOUR)
        for box in browser.find_elements(By.NAME, "target"):
            if (box.get_attribute("value") == "de") != box.is_selected():
                box.click()
        browser.find_element(By.ID, "go").click()
        WebDriverWait(browser, 30).until(expected_conditions.presence_of_element_located((By.ID, "result")))
        browser.get(url)  # a new visit: the signed cookie carries the key
        assert browser.find_elements(By.ID, "api_key") == []
        assert "Signed in with key night-desk." in browser.find_element(By.CSS_SELECTOR, ".signed-in").text
        _submit(browser, url, HARBOUR, targets=("de",))
        assert browser.find_element(By.CSS_SELECTOR, "#lang-de h2").text.startswith("<de> Harbour strike ends")
        browser.find_element(By.CSS_SELECTOR, ".signed-in button").click()  # Forget key
        WebDriverWait(browser, 10).until(expected_conditions.presence_of_element_located((By.ID, "api_key")))
    finally:
        server.shutdown()


@needs_browser
def test_in_a_browser_the_page_follows_the_system_s_dark_mode(browser, live_url):
    """Dark mode (issue 17): with the system dark, the page and its cards turn dark, text light."""
    from selenium.webdriver.common.by import By

    _submit(browser, live_url, HARBOUR, targets=("de",))
    light = browser.find_element(By.TAG_NAME, "body").value_of_css_property("background-color")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia",
                            {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    body = browser.find_element(By.TAG_NAME, "body")
    card = browser.find_element(By.ID, "lang-de")
    assert light == "rgba(250, 251, 252, 1)"
    assert body.value_of_css_property("background-color") == "rgba(20, 24, 28, 1)"
    assert card.value_of_css_property("background-color") == "rgba(29, 35, 41, 1)"
    assert body.value_of_css_property("color") == "rgba(230, 233, 236, 1)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "desk-dark.png"))
