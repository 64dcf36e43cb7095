"""The direction of imports between newsdesk's packages (issues 14 and 29): a test, not a convention.

Stages are plain functions over text; translation knows packs and models, not articles, and
takes the terms and corrections it is given; the desk's stores sit above it; the batch engine
runs the pipeline without Flask; each door (the HTTP blueprints, the command line) reaches
the pipeline and what is below it, never another door. Every module has a floor, no import
runs from a floor to one above it, and no modules import each other round in a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVICE = Path(__file__).resolve().parent.parent / "service"

WEB_STACK = {"flask", "werkzeug", "flask_limiter", "jinja2"}
REDIS = {"redis", "rq"}
MODELS = {"ctranslate2", "argostranslate", "sentencepiece"}
# Floors, lowest first: a module imports only from its own floor or those below (issue 29).
FLOORS = (
    ("ground", ("service.errors", "service.defaults", "service.config", "service.metrics", "service.stores",
                "service.keys", "service.alignment", "service.machine")),
    ("stages", ("service.stages",)),
    ("translation", ("service.translation", "service.outcome")),
    ("desk", ("service.desk",)),
    ("pipeline", ("service.pipeline", "service.render")),
    ("batch", ("service.batch", "service.jobs")),
    ("doors", ("service.http", "service.cli")),
    ("application", ("service",)),  # the package itself: create_app
)
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


def floor_of(module: str) -> str | None:
    """The floor whose most specific prefix names ``module`` (the bare "service" names only itself)."""
    found = [(len(prefix), name) for name, prefixes in FLOORS for prefix in prefixes
             if module == prefix or (prefix != "service" and module.startswith(prefix + "."))]
    return max(found)[1] if found else None


FLOOR_NUMBERS = {name: number for number, (name, _) in enumerate(FLOORS)}


def test_every_module_has_a_floor():
    assert [name for name in MODULES if floor_of(name) is None] == []


def test_no_import_runs_from_a_floor_to_one_above_it():
    upward = [f"{module} ({floor_of(module)}) imports {imported} ({floor_of(imported)})"
              for module in sorted(MODULES) for imported in sorted(ours(imports_of(module), "service"))
              if FLOOR_NUMBERS[floor_of(imported)] > FLOOR_NUMBERS[floor_of(module)]]
    assert upward == []


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other round in a circle (strongly connected
    components of two or more, Tarjan's algorithm, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    work.append((target, iter(sorted(graph[target]))))
                elif target in stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def test_no_modules_import_each_other_in_a_circle():
    graph = {module: {name for name in ours(imports_of(module), "service") if name in MODULES} for module in MODULES}
    assert circles(graph) == []


def test_the_circle_finder_finds_a_circle_and_only_that():
    """The test above is only as good as circles(): check it on a made-up graph."""
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_the_desk_sits_above_translation_and_below_the_pipeline():
    """Translation takes the glossary and corrections it is given (issue 29: it imported the
    stores above it); the pipeline and the doors reach the desk's stores, never the reverse."""
    assert FLOOR_NUMBERS["translation"] < FLOOR_NUMBERS[floor_of("service.desk.memory")] < FLOOR_NUMBERS["pipeline"]
    assert ours(set().union(*(imports_of(module) for module in modules_in("service.translation"))), "service.desk") == set()
    assert "service.desk.translating" in imports_of("service.pipeline")


def test_one_module_makes_redis_clients():
    """The job queue, the memory, the rate limits and the shared cache all reach Redis through
    stores/redis_server.py; no store imports the batch engine for a connection."""
    makers = sorted(module for module, path in MODULES.items()
                    if "Redis.from_url(" in path.read_text(encoding="utf-8") or "Redis(" in path.read_text(encoding="utf-8"))
    assert makers == ["service.stores.redis_server"]
    assert ours(set().union(*(imports_of(module) for module in modules_in("service.desk"))), "service.batch") == set()


@pytest.mark.parametrize("module", modules_in("service.stages"))
def test_stages_import_no_web_stack_redis_models_translation_or_pipeline(module):
    imported = imports_of(module)
    assert imported & (WEB_STACK | REDIS | MODELS) == set()
    # alignment: pure data (where a translation's words came from), made by translation, read by the copies
    allowed = {"service.errors", "service.defaults", "service.alignment"}
    assert ours(imported, "service") - ours(imported, "service.stages") - allowed == set()


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
    assert {"service.desk.memory", "service.translation.terms"} <= imports_of("service.desk.exchange") | imports_of(
        "service.desk.glossary")
