"""The README and docs/: generated settings, every route and command documented, no dead links."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from service.config import settings_markdown

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
README = REPO / "README.md"
README_MOST_LINES = 200

FENCE = re.compile(r"^(`{3,}|~{3,}).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
IMG_SRC = re.compile(r"<img\b[^>]*\bsrc=\"([^\"]+)\"")
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")


def pages() -> list[Path]:
    """The README and every docs/*.md page."""
    return [README, *sorted(DOCS.glob("*.md"))]


def without_code(text: str) -> str:
    """``text`` with fenced blocks and code spans blanked, so their brackets are no links."""
    return CODE_SPAN.sub("``", FENCE.sub("", text))


def github_anchor(heading: str) -> str:
    """The anchor a forge (GitHub) gives a heading: lower case, punctuation but - and _ dropped, spaces to -."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading counts as its text
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every heading anchor of ``page``; a repeated heading gets -1, -2, … as on GitHub."""
    seen: dict[str, int] = {}
    found = set()
    for heading in HEADING.findall(FENCE.sub("", page.read_text())):
        anchor = github_anchor(heading)
        if anchor in seen:
            seen[anchor] += 1
            anchor = f"{anchor}-{seen[anchor]}"
        else:
            seen[anchor] = 0
        found.add(anchor)
    return found


def broken_links(page: Path) -> list[str]:
    """The relative links of ``page`` that lead to no file, or to no heading of the page they name."""
    text = without_code(page.read_text())
    broken = []
    for target in LINK.findall(text) + IMG_SRC.findall(text):
        if SCHEME.match(target):
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists():
            broken.append(f"{page.name}: {target} (no such file)")
        elif anchor and (linked.suffix != ".md" or anchor not in anchors(linked)):
            broken.append(f"{page.name}: {target} (no such heading)")
    return broken


def test_the_settings_page_is_what_make_docs_writes():
    assert (DOCS / "settings.md").read_text() == settings_markdown(), \
        "docs/settings.md differs from service/config.py's settings: run `make docs`"


def route_pattern(rule: str) -> re.Pattern:
    """A url_map rule as the docs may write it: each <converter:name> part as any <word>."""
    parts = re.split(r"<[^>]+>", rule)
    path = "<[^<>`\\s]+>".join(re.escape(part) for part in parts)
    return re.compile(rf"(?<![\w/.<>-]){path}(?![\w/<…-])")


@pytest.fixture
def app_rules(make_app) -> list[str]:
    app = make_app()
    return sorted({rule.rule for rule in app.url_map.iter_rules()
                   if rule.endpoint != "static" and not rule.rule.startswith("/static")})


def test_every_route_is_in_the_docs(app_rules):
    """Each route, in a code span of some docs page (`/results/<id>/back/<language>` stands for
    /results/<run_id>/back/<language>: a variable part may have any name)."""
    spans = [span for page in DOCS.glob("*.md") for span in CODE_SPAN.findall(page.read_text())]
    assert len(app_rules) > 40
    assert [rule for rule in app_rules if not any(route_pattern(rule).search(span) for span in spans)] == []


@pytest.mark.parametrize("rule, written, found", [
    ("/glossary", "`GET /glossary`", True),
    ("/glossary", "`GET /api/v1/glossary`", False),
    ("/glossary", "`POST /glossary/terms`", False),
    ("/translate", "`POST /translate_file`", False),
    ("/runs", "`/runs…`", False),
    ("/results/<run_id>/back/<language>", "`GET /results/<id>/back/<language>`", True),
    ("/download_file/<string:filename>", "`GET /download_file/<name>`", True),
    ("/", "`GET /`", True),
    ("/", "`GET /docs`", False),
], ids=["plain", "inside-another", "a-prefix", "a-word-prefix", "an-ellipsis", "any-names", "a-converter", "root", "root-prefix"])
def test_a_route_is_found_only_where_it_is_written_whole(rule, written, found):
    assert bool(route_pattern(rule).search(written.strip("`"))) is found


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[str]:
    """Every command and subcommand under ``group``: "process", "langpacks", "langpacks install", …"""
    paths = []
    for name, command in sorted(group.commands.items()):
        paths.append(" ".join((*prefix, name)))
        if isinstance(command, click.Group):
            paths.extend(command_paths(command, (*prefix, name)))
    return paths


def test_every_command_is_in_the_command_line_page():
    from service.cli import cli

    text = (DOCS / "cli.md").read_text()
    commands = command_paths(cli)
    assert {"process", "langpacks install", "glossary restore", "jobs submit", "worker"} <= set(commands)
    assert [command for command in commands if not re.search(rf"newsdesk {re.escape(command)}(?![\w-])", text)] == []


def test_the_readme_stays_short():
    lines = README.read_text().count("\n")
    assert lines <= README_MOST_LINES, f"README.md has {lines} lines; move the details into docs/"


@pytest.mark.parametrize("page", pages(), ids=lambda page: page.name)
def test_every_relative_link_leads_somewhere(page):
    assert broken_links(page) == []


@pytest.mark.parametrize("heading, anchor", [
    ("Set-up: what gets installed, and why", "set-up-what-gets-installed-and-why"),
    ("The pages' routes", "the-pages-routes"),
    ("Swagger UI at /docs", "swagger-ui-at-docs"),
    ("Settings, from one sweep", "settings-from-one-sweep"),
    ("newsdesk_worker and `jobs`", "newsdesk_worker-and-jobs"),
], ids=["colon-comma", "apostrophe", "slash", "comma", "underscore-code"])
def test_anchors_are_spelled_as_the_forge_spells_them(heading, anchor):
    assert github_anchor(heading) == anchor


def test_a_dead_link_or_heading_is_caught(tmp_path):
    (tmp_path / "other.md").write_text("# Other page\n\n## A part\n")
    page = tmp_path / "page.md"
    page.write_text("# Page\n\n[ok](other.md#a-part) [here](#page) [gone](missing.md) [no part](other.md#b-part)\n"
                    "`[in code](nowhere.md)` [web](https://example.org/x.md) <img src=\"nothing.png\">\n")
    assert broken_links(page) == ["page.md: missing.md (no such file)", "page.md: other.md#b-part (no such heading)",
                                  "page.md: nothing.png (no such file)"]
