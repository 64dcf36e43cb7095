"""`newsdesk memory`: add, list, remove, import (and undo an import), export the translation memory's corrections."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from ..config import Settings
from ..errors import InvalidInput

FROM = click.option("--from", "source", help="Language of the source sentences (ISO 639-1, e.g. en).")
TO = click.option("--to", "target", help="Language of the translations (e.g. de).")


def _code(value: str | None) -> str | None:
    return value.strip().lower() if value is not None else None


@click.group("memory")
def memory_group() -> None:
    """Keep editors' corrections: a stored sentence is translated as stored, not by the model."""


@memory_group.command("add")
@click.option("--from", "source", required=True, help="Language of SENTENCE (ISO 639-1, e.g. en).")
@click.option("--to", "target", required=True, help="Language of TRANSLATION (e.g. de).")
@click.argument("sentence")
@click.argument("translation")
@click.pass_obj
def add_entry(settings: Settings, source: str, target: str, sentence: str, translation: str) -> None:
    """Translate SENTENCE as TRANSLATION from now on (replaces an earlier correction of it)."""
    from ..desk import memory

    from ..pipeline import known_language

    source, target = (known_language(code, what=option, settings=settings)
                      for code, option in ((source, "--from"), (target, "--to")))
    entry = memory.put(settings, source=source, target=target, sentence=sentence, translation=translation)
    click.echo(f"stored {entry.source}->{entry.target}: {entry.sentence!r} => {entry.translation!r} "
               f"in {memory.location(settings)}")


@memory_group.command("list")
@FROM
@TO
@click.option("--search", help="Only corrections whose sentence or translation holds TEXT (any case).")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True, help="Show at most this many.")
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True, help="Skip this many first.")
@click.option("--changed-by", "changed_by", metavar="NAME", help="Only corrections NAME (a key's name) changed last.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of one line each.")
@click.pass_obj
def list_entries(settings: Settings, source: str | None, target: str | None, search: str | None, limit: int,
                 offset: int, changed_by: str | None, as_json: bool) -> None:
    """Show stored corrections, by language pair and sentence."""
    from ..desk import memory

    found = memory.entries(settings, source=_code(source), target=_code(target), search=search, limit=limit,
                           offset=offset, changed_by=changed_by)
    if as_json:
        click.echo(json.dumps([asdict(entry) for entry in found], ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo(f"no corrections match in {memory.location(settings)}; add one with "
                   "`newsdesk memory add --from en --to de SENTENCE TRANSLATION`")
    for entry in found:
        click.echo(f"{entry.source}->{entry.target}  {entry.sentence}  =>  {entry.translation}  "
                   f"({entry.changed_by or 'unknown'}, {entry.updated})")


@memory_group.command("remove")
@click.option("--from", "source", required=True, help="Language of SENTENCE (ISO 639-1, e.g. en).")
@click.option("--to", "target", required=True, help="Language of the correction (e.g. de).")
@click.argument("sentence")
@click.pass_obj
def remove_entry(settings: Settings, source: str, target: str, sentence: str) -> None:
    """Forget the correction of SENTENCE: the model translates it again."""
    from ..desk import memory

    entry = memory.remove(settings, source=_code(source), target=_code(target), sentence=sentence)
    click.echo(f"removed {entry.source}->{entry.target}: {entry.sentence!r} => {entry.translation!r}")


@memory_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-unusable", is_flag=True, help="Import the usable units even when others cannot be used.")
@click.pass_obj
def import_entries(settings: Settings, file: Path, skip_unusable: bool) -> None:
    """Store the corrections in FILE: a TMX file, or an article's XLIFF file after review."""
    from ..desk import exchange, memory

    reading = exchange.read_corrections(file.read_bytes())
    for problem in reading.problems:
        click.echo(f"{file}: {problem}", err=True)
    if reading.problems and not skip_unusable:
        raise InvalidInput(f"nothing imported: {len(reading.problems)} unit(s) of {file} cannot be used (listed "
                           "above); fix them, or pass --skip-unusable to import the rest")
    stored = memory.import_corrections(settings, corrections=reading.corrections, why=f"import of {file.name}")
    unchanged = f"; {reading.passed_over} unit(s) left as newsdesk translated them" if reading.passed_over else ""
    skipped = f"; {len(reading.problems)} unusable unit(s) skipped" if reading.problems else ""
    undo = "; `newsdesk memory restore` undoes it" if stored else ""
    click.echo(f"imported {len(stored)} correction(s) from {file} into {memory.location(settings)}{unchanged}{skipped}"
               f"{undo}")


@memory_group.command("restore")
@click.pass_obj
def restore_entries(settings: Settings) -> None:
    """Undo the last import: each sentence it changed gets back the correction it had (or none); what
    the import stored is kept in its place, so running it again redoes the import."""
    from ..desk import memory

    kept, back, gone = memory.restore(settings)
    click.echo(f"restored the {kept.sentences} sentence(s) set aside {kept.saved} by {kept.saved_by} ({kept.why}): "
               f"{back} correction(s) as they were, {gone} removed that were new; what this replaced is kept: "
               "`newsdesk memory restore` again brings it back")


@memory_group.command("export")
@FROM
@TO
@click.pass_obj
def export_entries(settings: Settings, source: str | None, target: str | None) -> None:
    """Print the stored corrections as a TMX 1.4 file (for CAT tools, or `newsdesk memory import`)."""
    from ..desk import exchange, memory

    found = memory.entries(settings, source=_code(source), target=_code(target), limit=None)
    click.echo(exchange.write_tmx(found), nl=False)
