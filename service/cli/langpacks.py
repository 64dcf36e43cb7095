"""`newsdesk langpacks`: list, install, verify and remove Argos language packs."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..config import Settings
from ..errors import InvalidInput
from ..translation import packs
from .common import EXIT_FAILURE


@click.group("langpacks")
def langpacks_group() -> None:
    """List, install, verify and remove Argos language packs."""


@langpacks_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_obj
def list_packs(settings: Settings, as_json: bool) -> None:
    """Show the manifest's packs (installed or missing) and any other installed pack."""
    rows = _pack_rows(settings)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    columns = ["code", "pair", "status", "version", "size", "source"]
    table = [columns] + [[str(row[c]) for c in columns] for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    for line in table:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())
    missing = [row for row in rows if row["status"] == "missing"]
    if missing:
        click.echo(f"\n{len(missing)} missing: copy the files into {settings.langpacks_dir}/ and run "
                   "`newsdesk langpacks install`, or run `newsdesk langpacks install --download`.")


def _pack_rows(settings: Settings) -> list[dict]:
    installed = {pack.code: pack for pack in packs.installed_packs(settings.packages_dir)}
    rows = []
    for ref in packs.read_manifest(settings.langpacks_dir):
        pack = installed.pop(ref.code, None)
        rows.append(_row(ref.code, ref.pair, pack, ref.version, ref.links[0] if ref.links else ""))
    rows += [_row(pack.code, pack.pair, pack, pack.version, "", extra=True) for pack in installed.values()]
    return rows


def _row(code, pair, pack, wanted_version, link, extra=False) -> dict:
    if pack is None:
        return {"code": code, "pair": "->".join(pair), "status": "missing", "version": wanted_version, "size": "-", "source": link}
    return {
        "code": code,
        "pair": "->".join(pair),
        "status": "installed (not in manifest)" if extra else "installed",
        "version": pack.version,
        "size": _human_size(pack.size),
        "source": pack.source,
    }


def _human_size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


@langpacks_group.command("install")
@click.argument("items", nargs=-1)
@click.option("--download", is_flag=True,
              help="Download from the Argos index: the packs named (code or pair), else every missing manifest pack.")
@click.option("--force", is_flag=True, help="Replace an installed pack even if the file differs from the recorded one.")
@click.pass_obj
def install(settings: Settings, items: tuple[str, ...], download: bool, force: bool) -> None:
    """Install .argosmodel FILES, or every file in the drop-in folder when none is given."""
    if download:
        results = _download(settings, items)
    elif items:
        results = [packs.install_archive(Path(item), settings, force=force) for item in items]
    else:
        results, failures = packs.install_drop_ins(settings)
        for message in failures:
            click.echo(f"error: {message}", err=True)
        if not results and not failures:
            click.echo(f"no .argosmodel files in {settings.langpacks_dir}/ to install")
        if failures:
            _report(results)
            raise click.exceptions.Exit(EXIT_FAILURE)
    _report(results)


def _download(settings: Settings, names: tuple[str, ...]) -> list[packs.InstallResult]:
    manifest = packs.read_manifest(settings.langpacks_dir)
    wanted = [_manifest_ref(manifest, name) for name in names] if names else packs.missing_packs(settings)
    if not wanted:
        click.echo("every pack in the manifest is installed")
        return []
    index = packs.fetch_index_or_explain(settings, wanted)
    return [packs.download_and_install(ref, settings, index=index, progress=True) for ref in wanted]


def _manifest_ref(manifest: list[packs.PackRef], name: str) -> packs.PackRef:
    wanted = name.removeprefix("translate-").replace("-", "_")
    for ref in manifest:
        if ref.code == name or f"{ref.from_code}_{ref.to_code}" == wanted:
            return ref
    known = ", ".join(ref.code for ref in manifest)
    raise InvalidInput(f"{name!r} is not in the pack manifest; known packs: {known}")


def _report(results: list[packs.InstallResult]) -> None:
    for result in results:
        pack = result.pack
        click.echo(f"{result.action}: {pack.code} {pack.version} ({pack.from_code}->{pack.to_code}) in {pack.path}")


@langpacks_group.command("verify")
@click.pass_obj
def verify(settings: Settings) -> None:
    """Check installed packs against the checksums recorded when they were installed."""
    results = packs.verify_packs(settings.packages_dir)
    if not results:
        click.echo(f"no packs installed in {settings.packages_dir}")
    for result in results:
        click.echo(f"{result.code}: {'ok' if result.ok else 'BROKEN'}")
        for problem in result.problems:
            click.echo(f"  {problem}")
    if not all(result.ok for result in results):
        click.echo("reinstall broken packs with `newsdesk langpacks install --force FILE`", err=True)
        raise click.exceptions.Exit(EXIT_FAILURE)


@langpacks_group.command("remove")
@click.argument("names", nargs=-1, required=True)
@click.pass_obj
def remove(settings: Settings, names: tuple[str, ...]) -> None:
    """Uninstall packs, given by code (translate-en_de) or pair (en_de)."""
    for name in names:
        code, version = packs.remove_pack(settings, name)
        click.echo(f"removed: {code} {version}")
