"""The API documentation page at /docs (issue 17): Swagger UI from the app's own files, no CDN."""

from __future__ import annotations

import re
import tomllib
from fnmatch import fnmatch

import pytest

from service.http.docs import SWAGGER_UI_VERSION
from service.http.hooks import SECURITY_HEADERS
from tests.browser import make_driver, needs_browser, policy_violations, screenshot
from tests.conftest import REPO

DOCS_STATIC = REPO / "service" / "http" / "static" / "docs"
NOT_FOUND = ("The requested URL was not found on the server. If you entered the URL manually please check your "
             "spelling and try again; the API is described at /docs")


@pytest.fixture
def app(make_app):
    return make_app()


def _assets(page: str) -> list[str]:
    return re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"', page)


def test_the_page_is_html_with_a_title_and_a_way_back_to_the_form(client):
    response = client.get("/docs")
    page = response.get_data(as_text=True)
    assert (response.status_code, response.mimetype) == (200, "text/html")
    assert '<html lang="en">' in page
    assert "<title>API · newsdesk</title>" in page
    assert '<a class="home" href="/">← newsdesk</a>' in page
    assert '<div id="swagger-ui" data-openapi-url="/api/v1/openapi.json">' in page


def test_the_page_loads_only_the_app_s_own_files(client):
    page = client.get("/docs").get_data(as_text=True)
    assert _assets(page) == [
        f"/static/docs/swagger-ui.css?v={SWAGGER_UI_VERSION}", "/static/docs/docs.css",
        f"/static/docs/swagger-ui-bundle.js?v={SWAGGER_UI_VERSION}", "/static/docs/docs-init.js"]
    assert "http://" not in page and "https://" not in page  # no CDN, nothing from the internet
    # Nothing inline for the policy to refuse: the init script is a file of its own.
    assert re.findall(r"<script\b[^>]*>", page) == [
        f'<script src="/static/docs/swagger-ui-bundle.js?v={SWAGGER_UI_VERSION}" defer>',
        '<script src="/static/docs/docs-init.js" defer>']
    assert re.findall(r"<style\b|\sstyle=|\son[a-z]+=|javascript:", page) == []


@pytest.mark.parametrize("path, mimetype", [
    (f"/static/docs/swagger-ui-bundle.js?v={SWAGGER_UI_VERSION}", "text/javascript"),
    ("/static/docs/docs-init.js", "text/javascript"),
    (f"/static/docs/swagger-ui.css?v={SWAGGER_UI_VERSION}", "text/css"),
    ("/static/docs/docs.css", "text/css"),
    ("/static/docs/LICENSE", "application/octet-stream"),
], ids=["bundle", "init", "swagger-css", "own-css", "licence"])
def test_the_assets_are_served_with_their_types(client, path, mimetype):
    response = client.get(path)
    assert (response.status_code, response.mimetype) == (200, mimetype)
    assert response.headers["X-Content-Type-Options"] == "nosniff"  # so the type must be right
    response.close()


def test_the_vendored_swagger_ui_is_the_version_the_page_names():
    bundle = (DOCS_STATIC / "swagger-ui-bundle.js").read_text(encoding="utf-8")
    assert f'PACKAGE_VERSION:"{SWAGGER_UI_VERSION}"' in bundle
    assert "Apache License" in (DOCS_STATIC / "LICENSE").read_text(encoding="utf-8")
    css = (DOCS_STATIC / "swagger-ui.css").read_text(encoding="utf-8")
    assert re.findall(r"url\((?![\"']?data:)", css) == []  # images are inline data: URLs, no fetches


def test_every_vendored_file_goes_into_the_package():
    package_data = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    patterns = package_data["service.http"]
    files = [path.relative_to(REPO / "service" / "http").as_posix() for path in DOCS_STATIC.iterdir()]
    assert [name for name in files if not any(fnmatch(name, pattern) for pattern in patterns)] == []


def test_the_page_keeps_the_app_s_security_headers(client):
    response = client.get("/docs")
    assert {name: response.headers.get(name) for name in SECURITY_HEADERS} == SECURITY_HEADERS


def test_with_keys_on_the_page_and_its_document_need_no_key(make_app, tmp_path):
    client = make_app(api_keys=True, keys_db=tmp_path / "keys.db", rate_limit=None).test_client()
    assert client.get("/docs").status_code == 200
    assert client.get("/static/docs/docs-init.js").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.post("/api/v1/summarize", json={"text": "x"}).status_code == 401  # the API itself still does


@pytest.mark.parametrize("path", ["/no/such/page", "/api/v1/nope", "/doc"], ids=["page", "api", "near-miss"])
def test_an_unknown_path_answers_json_naming_the_docs_page(client, path):
    response = client.get(path)
    assert (response.status_code, response.json) == (404, {"error": NOT_FOUND})


def test_a_missing_static_file_is_not_pointed_at_the_docs(client):
    response = client.get("/static/docs/nothing.js")
    assert response.status_code == 404
    assert "/docs" not in response.json["error"]


@pytest.fixture
def driver(tmp_path):
    driver = make_driver(tmp_path, size=(1366, 768))
    yield driver
    driver.quit()


def _open_docs(driver, live_url: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(live_url + "docs")
    WebDriverWait(driver, 30).until(expected_conditions.presence_of_element_located(
        (By.CSS_SELECTOR, "#operations-default-post_api_v1_process")))


@needs_browser
def test_in_a_browser_swagger_ui_renders_the_operations_within_the_policy(driver, live_url):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    _open_docs(driver, live_url)
    paths = [element.text for element in driver.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")]
    assert paths[:3] == ["/api/v1/process", "/api/v1/summarize", "/api/v1/languages"]
    assert "/translate" in paths
    assert driver.find_element(By.CSS_SELECTOR, ".info .title").text.startswith("newsdesk")
    screenshot(driver, "docs.png")
    # Open one operation and run it, so that what Swagger UI draws on demand is checked too.
    operation = "#operations-default-get_api_v1_languages"
    driver.find_element(By.CSS_SELECTOR, f"{operation} .opblock-summary-control").click()
    # Swagger UI draws an opened operation a moment later (a longer document takes longer): wait for it.
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, f"{operation} .try-out__btn"))[0].click()
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, f"{operation} .execute"))[0].click()
    status = WebDriverWait(driver, 10).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, ".live-responses-table tr.response .response-col_status"))
    assert status[0].text == "200"
    assert policy_violations(driver) == []


@needs_browser
def test_in_a_browser_the_docs_follow_the_system_s_dark_mode(driver, live_url):
    from selenium.webdriver.common.by import By

    driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                           {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    _open_docs(driver, live_url)
    assert "dark-mode" in driver.find_element(By.TAG_NAME, "html").get_attribute("class")
    assert driver.find_element(By.TAG_NAME, "body").value_of_css_property("background-color") == "rgba(28, 32, 34, 1)"
    text = driver.find_element(By.CSS_SELECTOR, ".swagger-ui").value_of_css_property("color")
    assert text == "rgba(228, 230, 230, 1)"
    screenshot(driver, "docs-dark.png")
    assert policy_violations(driver) == []
