"""The direction of imports between newsdesk's packages (issue 14): a test, not a convention.

Stages are plain functions over text; translation knows packs and models, not articles;
the batch engine runs the pipeline without Flask; each door (the HTTP blueprints, the
command line) reaches the pipeline and its stages, never another door.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVICE = Path(__file__).resolve().parent.parent / "service"

WEB_STACK = {"flask", "werkzeug", "flask_limiter", "jinja2"}
REDIS = {"redis", "rq"}
MODELS = {"ctranslate2", "argostranslate", "sentencepiece"}
# The top of service/: what every package may use, and the pipeline with its output.
TOP = {"service", "service.config", "service.defaults", "service.errors", "service.keys", "service.pipeline",
       "service.render", "service.jobs", "service.glossary", "service.memory", "service.exchange", "service.stores",
       "service.results", "service.metrics"}
PACKAGES = {"service.stages", "service.translation", "service.http", "service.batch", "service.cli"}
HTTP_DOORS = {"service.http.api", "service.http.web", "service.http.libre", "service.http.jobs",
              "service.http.docs", "service.http.batch_page"}


def module_name(path: Path) -> str:
    parts = path.relative_to(SERVICE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in SERVICE.rglob("*.py")}


def imports_of(module: str) -> set[str]:
    """Every module ``module`` imports, at the top or inside a function: newsdesk's own by
    their full dotted name, others by their top-level package."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name if alias.name.startswith("service") else alias.name.split(".")[0]
                      for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module
            if not origin.startswith("service"):
                found.add(origin.split(".")[0])
                continue
            submodules = {f"{origin}.{alias.name}" for alias in node.names if f"{origin}.{alias.name}" in MODULES}
            # from . import x names modules only; from .x import y names x (and y, when y is a module)
            found |= submodules if node.module is None and submodules else submodules | {origin}
    return found


def ours(names: set[str], *prefixes: str) -> set[str]:
    return {name for name in names if any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)}


def modules_in(package: str) -> list[str]:
    return sorted(name for name in MODULES if name == package or name.startswith(package + "."))


def test_every_module_has_a_place():
    assert {name for name in MODULES if name not in TOP and not ours({name}, *PACKAGES)} == set()


@pytest.mark.parametrize("module", modules_in("service.stages"))
def test_stages_import_no_web_stack_redis_models_translation_or_pipeline(module):
    imported = imports_of(module)
    assert imported & (WEB_STACK | REDIS | MODELS) == set()
    assert ours(imported, "service") - ours(imported, "service.stages") - {"service.errors", "service.defaults"} == set()


@pytest.mark.parametrize("module", modules_in("service.translation"))
def test_translation_knows_packs_not_articles_or_doors(module):
    imported = imports_of(module)
    assert imported & WEB_STACK == set()
    assert ours(imported, "service.stages", "service.pipeline", "service.http", "service.batch", "service.cli") == set()


@pytest.mark.parametrize("module", modules_in("service.batch") + ["service.pipeline", "service.render"])
def test_the_pipeline_and_the_batch_engine_import_no_flask_and_no_door(module):
    imported = imports_of(module)
    assert imported & WEB_STACK == set()
    assert ours(imported, "service.http", "service.cli") == set()


@pytest.mark.parametrize("door", sorted(HTTP_DOORS))
def test_http_doors_never_import_each_other_or_the_command_line(door):
    assert ours(imports_of(door), *(HTTP_DOORS - {door}), "service.cli") == set()


@pytest.mark.parametrize("module", modules_in("service.cli"))
def test_the_command_line_never_imports_the_http_doors(module):
    assert ours(imports_of(module), "service.http") == set()


def test_the_import_reader_sees_relative_imports():
    """The rules above are only as good as imports_of: check it on a known module."""
    assert {"service.stages.clean", "service.config", "service.translation"} <= imports_of("service.pipeline")
    assert {"service.batch.workers", "service.batch.queue", "service.render"} <= imports_of("service.batch.jobs")
