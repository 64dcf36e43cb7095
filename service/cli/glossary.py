"""`newsdesk glossary`: the newsroom's terms per language, and the terms kept as they are."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..config import Settings

LANGUAGE = click.option("--to", "target", metavar="LANG", help="The target language, e.g. de.")


@click.group("glossary")
def glossary_group() -> None:
    """Add, keep, list, remove, import and export glossary terms (one glossary for the whole service)."""


@glossary_group.command("add")
@click.option("--to", "target", metavar="LANG", required=True, help="The target language, e.g. de.")
@click.argument("source_term")
@click.argument("target_term")
@click.pass_obj
def add_term(settings: Settings, target: str, source_term: str, target_term: str) -> None:
    """Write SOURCE_TERM as TARGET_TERM in one language: `glossary add --to de Gadhafi Gaddafi`."""
    from ..desk import glossary
    from ..pipeline import known_language
    from ..translation.terms import clean_language, clean_term

    target = known_language(clean_language(target, what="--to"), what="--to", settings=settings)
    source_term, target_term = clean_term(source_term, what="SOURCE_TERM"), clean_term(target_term, what="TARGET_TERM")
    before = glossary.add_term(settings, target=target, source_term=source_term, target_term=target_term)
    said = f"{source_term!r} is {target_term!r} in {target}"
    if before is None:
        click.echo(f"added: {said}")
    elif before == target_term:
        click.echo(f"unchanged: {said}")
    else:
        click.echo(f"changed: {said} (was {before!r})")


@glossary_group.command("keep")
@click.argument("term")
@click.pass_obj
def keep_term(settings: Settings, term: str) -> None:
    """Keep TERM as it is in every language (names, acronyms): `glossary keep NTC`."""
    from ..desk import glossary
    from ..translation.terms import clean_term

    term = clean_term(term, what="TERM")
    if glossary.keep_term(settings, term):
        click.echo(f"kept: {term!r} stays as it is in every language")
    else:
        click.echo(f"unchanged: {term!r} is kept already")


@glossary_group.command("list")
@LANGUAGE
@click.option("--json", "as_json", is_flag=True, help="Print JSON, as GET /api/v1/glossary answers.")
@click.pass_obj
def list_terms(settings: Settings, target: str | None, as_json: bool) -> None:
    """Show every term (with --to, those that apply to one language): language, source term, target term."""
    from ..desk import glossary
    from ..translation.terms import Glossary, clean_language

    stored = glossary.load(settings)
    if target is not None:
        target = clean_language(target, what="--to")
        shown = Glossary(by_target={target: stored.by_target.get(target, {})}, keep=stored.keep)
    else:
        shown = stored
    if as_json:
        click.echo(json.dumps({**shown.as_dict(), "version": stored.version}, ensure_ascii=False, indent=2))
        return
    if not shown.size:
        where = f" for {target}" if target else ""
        click.echo(f"no glossary terms{where} in {glossary.location(settings)}; add one with "
                   "`newsdesk glossary add --to de TERM TRANSLATION` or `newsdesk glossary keep TERM`")
    for term in shown.keep:
        click.echo(f"keep  {term}")
    for language, terms in shown.by_target.items():
        for source, written in terms.items():
            click.echo(f"{language:<5} {source} → {written}")


@glossary_group.command("remove")
@click.argument("term")
@LANGUAGE
@click.pass_obj
def remove_term(settings: Settings, term: str, target: str | None) -> None:
    """Remove TERM from one language (--to de; --to '*' stops keeping it), or everywhere it is."""
    from ..desk import glossary
    from ..translation.terms import KEEP

    removed = glossary.remove_term(settings, term, target=target)
    listed = ", ".join("kept" if language == KEEP else f"{language} {written!r}" for language, written in removed.items())
    click.echo(f"removed: {term!r} ({listed})")


@glossary_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def import_terms(settings: Settings, file: Path) -> None:
    """Add the terms of FILE (.csv, .tsv or .tbx) over the glossary's; a file with a problem imports nothing."""
    from ..desk import glossary

    imported = glossary.import_terms(settings, file.read_bytes(), file_name=file.name)
    counts = [f"{len(terms)} for {language}" for language, terms in imported.by_target.items()]
    counts += [f"{len(imported.keep)} kept"] if imported.keep else []
    stored = glossary.load(settings)
    click.echo(f"imported {file.name}: {', '.join(counts)}; the glossary has {stored.size} entries now "
               f"(version {stored.version})")


@glossary_group.command("restore")
@click.pass_obj
def restore_glossary(settings: Settings) -> None:
    """Bring back the glossary as it was before it was last replaced, imported into or restored; the
    glossary of now is kept in its place, so running it again undoes it."""
    from ..desk import glossary

    restored, kept = glossary.restore(settings)
    click.echo(f"restored the glossary set aside {kept.saved} by {kept.saved_by} ({kept.why}): {restored.size} "
               f"entries (version {restored.version}); the one it replaced is kept: `newsdesk glossary restore` "
               "again brings it back")


@glossary_group.command("changes")
@click.option("--changed-by", "changed_by", metavar="NAME", help="Only the entries NAME (a key's name) changed last.")
@click.pass_obj
def list_changes(settings: Settings, changed_by: str | None) -> None:
    """Show who changed each entry last and when, and the version kept for `glossary restore`."""
    from ..desk import glossary
    from ..translation.terms import KEEP

    for change in glossary.changes(settings, changed_by=changed_by):
        what = f"keep  {change.source}" if change.target == KEEP else f"{change.target:<5} {change.source} → {change.term}"
        click.echo(f"{what}  ({change.changed_by or 'unknown'}, {change.updated})")
    kept = glossary.previous(settings)
    if kept is not None:
        click.echo(f"kept for restore: {kept.entries} entries set aside {kept.saved} by {kept.saved_by} ({kept.why})")


@glossary_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "tbx"]), default="csv", show_default=True,
              help="CSV (source,language,term) or TBX (TermBase eXchange, ISO 30042).")
@click.pass_obj
def export_terms(settings: Settings, fmt: str) -> None:
    """Print the whole glossary as CSV or TBX; `glossary import` reads either back."""
    from ..desk import glossary

    click.echo(glossary.export(settings, fmt=fmt), nl=False)
