"""The direction of imports between newsdesk's parts (issue 14): a test, not a convention.

Stages are plain functions over text; the batch engine runs the pipeline without Flask;
each door (HTTP API, web page, LibreTranslate routes, batch routes, CLI) reaches the
pipeline and its stages, never another door.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVICE = Path(__file__).resolve().parent.parent / "service"

STAGES = {"clean", "clean_rules", "sentences", "sentence_rules", "language", "summary", "_sumy_fast", "documents",
          "defaults"}
BATCH = {"jobs", "jobqueue"}
DOORS = {"api", "web", "libre", "jobs_api", "cli"}
INFRASTRUCTURE = {"flask", "werkzeug", "redis", "rq", "flask_limiter", "translation", "ctranslate2", "argostranslate"}


def imports_of(module: str) -> set[str]:
    """Every module ``service/<module>.py`` imports, at the top or inside a function:
    newsdesk's own by their name in service/, others by their top-level package."""
    found = set()
    for node in ast.walk(ast.parse((SERVICE / f"{module}.py").read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level:  # from . import x / from .x import y
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            found.add(node.module.split(".")[0])
    return found


def test_every_module_has_a_place():
    modules = {path.stem for path in SERVICE.glob("*.py")}
    placed = STAGES | BATCH | DOORS | {"__init__", "__main__", "pipeline", "render", "config", "errors", "keys", "access",
                                       "webinput", "openapi", "gunicorn_conf", "langpacks", "translation", "jobsclient"}
    assert modules - placed == set()


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_stages_import_no_flask_redis_or_translation(stage):
    assert imports_of(stage) & (INFRASTRUCTURE | DOORS | BATCH | {"pipeline"}) == set()


@pytest.mark.parametrize("module", sorted(BATCH))
def test_the_batch_engine_imports_no_flask_and_no_door(module):
    assert imports_of(module) & ({"flask", "werkzeug", "webinput"} | DOORS) == set()


@pytest.mark.parametrize("door", sorted(DOORS))
def test_doors_never_import_each_other(door):
    assert imports_of(door) & (DOORS - {door}) == set()
