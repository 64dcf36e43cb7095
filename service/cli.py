"""Run newsdesk from the command line: manage language packs and translate text.

``main`` is the one place that turns errors into a message on stderr and an exit code.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from . import defaults, langpacks
from .config import Settings
from .errors import InvalidInput, InvalidSetting, JobNotFinished, ServiceError, UnsupportedLanguage

EXIT_FAILURE = 1
EXIT_USAGE = 2


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (0 ok, 1 failure, 2 bad usage)."""
    try:
        # Without standalone mode click returns a command's Exit code instead of exiting.
        outcome = cli.main(args=argv, prog_name="newsdesk", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return EXIT_FAILURE
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except (InvalidInput, UnsupportedLanguage) as error:
        click.echo(f"error: {error}", err=True)
        return EXIT_USAGE
    except ServiceError as error:
        click.echo(f"error: {error}", err=True)
        return EXIT_FAILURE
    return outcome if isinstance(outcome, int) else 0


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log what newsdesk does (to stderr).")
@click.pass_context
def cli(context: click.Context, verbose: bool) -> None:
    """newsdesk: clean, summarize and translate news articles, offline.

    Settings come from NEWSDESK_* environment variables (`newsdesk settings` lists them).
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    context.obj = Settings.load()


@cli.group("keys")
def keys_group() -> None:
    """Add, list and remove API keys (used when NEWSDESK_API_KEYS=1)."""


@keys_group.command("add")
@click.argument("name")
@click.pass_obj
def add_key(settings: Settings, name: str) -> None:
    """Create a key called NAME and print it (it is shown only this once)."""
    from . import keys

    record, key = keys.add_key(settings.keys_db, name)
    click.echo(key)
    click.echo(f"added key {record.name!r} to {settings.keys_db}; it is shown only now, so store it"
               + ("" if settings.api_keys else " (keys are not required yet: set NEWSDESK_API_KEYS=1)"), err=True)


@keys_group.command("list")
@click.pass_obj
def list_keys(settings: Settings) -> None:
    """Show every key's name, first characters and creation time."""
    from . import keys

    records = keys.list_keys(settings.keys_db)
    if not records:
        click.echo(f"no keys in {settings.keys_db}; add one with `newsdesk keys add NAME`")
    for record in records:
        click.echo(f"{record.name}  {record.hint}  {record.created}")


@keys_group.command("remove")
@click.argument("name")
@click.pass_obj
def remove_key(settings: Settings, name: str) -> None:
    """Remove the key called NAME: requests using it are refused at once."""
    from . import keys

    record = keys.remove_key(settings.keys_db, name)
    click.echo(f"removed key {record.name!r} ({record.hint})")


@cli.group("langpacks")
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
    installed = {pack.code: pack for pack in langpacks.installed_packs(settings.packages_dir)}
    rows = []
    for ref in langpacks.read_manifest(settings.langpacks_dir):
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
        results = [langpacks.install_archive(Path(item), settings, force=force) for item in items]
    else:
        results, failures = langpacks.install_drop_ins(settings)
        for message in failures:
            click.echo(f"error: {message}", err=True)
        if not results and not failures:
            click.echo(f"no .argosmodel files in {settings.langpacks_dir}/ to install")
        if failures:
            _report(results)
            raise click.exceptions.Exit(EXIT_FAILURE)
    _report(results)


def _download(settings: Settings, names: tuple[str, ...]) -> list[langpacks.InstallResult]:
    manifest = langpacks.read_manifest(settings.langpacks_dir)
    wanted = [_manifest_ref(manifest, name) for name in names] if names else langpacks.missing_packs(settings)
    if not wanted:
        click.echo("every pack in the manifest is installed")
        return []
    index = langpacks.fetch_index_or_explain(settings, wanted)
    return [langpacks.download_and_install(ref, settings, index=index, progress=True) for ref in wanted]


def _manifest_ref(manifest: list[langpacks.PackRef], name: str) -> langpacks.PackRef:
    wanted = name.removeprefix("translate-").replace("-", "_")
    for ref in manifest:
        if ref.code == name or f"{ref.from_code}_{ref.to_code}" == wanted:
            return ref
    known = ", ".join(ref.code for ref in manifest)
    raise InvalidInput(f"{name!r} is not in the pack manifest; known packs: {known}")


def _report(results: list[langpacks.InstallResult]) -> None:
    for result in results:
        pack = result.pack
        click.echo(f"{result.action}: {pack.code} {pack.version} ({pack.from_code}->{pack.to_code}) in {pack.path}")


@langpacks_group.command("verify")
@click.pass_obj
def verify(settings: Settings) -> None:
    """Check installed packs against the checksums recorded when they were installed."""
    results = langpacks.verify_packs(settings.packages_dir)
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
        pack = langpacks.remove_pack(settings, name)
        click.echo(f"removed: {pack.code} {pack.version}")


@cli.command("translate")
@click.option("-s", "--source", required=True, help="Language of the input (ISO 639-1, e.g. en).")
@click.option("-t", "--target", required=True, help="Language to translate into (e.g. de).")
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-")
@click.pass_obj
def translate_command(settings: Settings, source: str, target: str, file) -> None:
    """Translate FILE (or stdin), one sentence per line; print one translation per line."""
    from .translation import translate

    lines = file.read().splitlines()
    for line in translate(lines, source, target, settings):
        click.echo(line)


def _read_input(name: str):
    """The article in file NAME, or on stdin for "-" (a documents.Document)."""
    from .documents import Document, read_file, read_page

    if name == "-":
        text = sys.stdin.read()
        return read_page(text) if text.lstrip()[:15].lower().startswith(("<!doctype html", "<html")) else Document(text)
    return read_file(Path(name))


def _targets(value: str) -> tuple[str, ...]:
    return tuple(code.strip() for code in value.split(",") if code.strip())


SHOW_REMOVED = click.option("--show-removed", is_flag=True,
                            help="List on stderr the lines left out of the article (navigation, captions, ...) and why.")


@cli.command("process")
@click.argument("files", nargs=-1, required=True)
@click.option("-o", "--output-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the results (default: next to each input).")
@click.option("--to", "targets", default=",".join(defaults.TARGETS), show_default=True, help="Target languages, comma-separated.")
@click.option("--summary", "length", default=str(defaults.SUMMARY_LENGTH), show_default=True, help="Summary length: sentences (5) or share (20%).")
@click.option("--method", default=defaults.SUMMARY_METHOD, show_default=True,
              help=f"Summary method: {', '.join(defaults.SUMMARY_METHODS)}.")
@click.option("--source", default=defaults.SOURCE, show_default=True, help="Language of the articles (auto = detect).")
@click.option("--format", "output_format", type=click.Choice(list(defaults.OUTPUT_FORMATS)), default=defaults.OUTPUT_FORMAT,
              show_default=True, help="Format of the per-language files.")
@SHOW_REMOVED
@click.pass_obj
def process_command(settings: Settings, files, output_dir, targets, length, method, source, output_format,
                    show_removed) -> None:
    """Clean, summarize and translate article FILES (.txt, .md, .html; - for stdin).

    Writes ARTICLE.<lang>.<ext> per target language and ARTICLE.newsdesk.json with
    everything. A file that fails is reported; the others still complete (exit 1).
    """
    from tqdm import tqdm

    from .pipeline import process

    targets = _targets(targets)
    failures = 0
    # tqdm shows a bar only on a terminal (disable=None), so logs and pipes stay clean.
    for name in tqdm(files, desc="articles", unit="file", disable=None if len(files) > 1 else True, file=sys.stderr):
        try:
            article = _read_input(name)
            result = process(article.text, targets=targets, summary=length, method=method, source=source,
                             settings=settings, left_out=article.left_out)
            if show_removed:
                _echo_removed(name, result.article)
            if name == "-":
                _print_result(result, targets, output_format)
            else:
                for written in _write_outputs(result, Path(name), output_dir, targets, output_format, files):
                    click.echo(written)
        except ServiceError as error:
            failures += 1
            click.echo(f"error: {name}: {error}", err=True)
    if failures:
        click.echo(f"{failures} of {len(files)} files failed", err=True)
        raise click.exceptions.Exit(EXIT_FAILURE)


def _print_result(result, targets, output_format) -> None:
    from . import render

    if output_format == "json":
        click.echo(render.to_json(result), nl=False)
        return
    for language in targets:
        click.echo(render.RENDERERS[output_format](result, language))


def _write_outputs(result, source: Path, output_dir, targets, output_format, inputs) -> list[Path]:
    from . import render

    folder = output_dir or source.parent
    folder.mkdir(parents=True, exist_ok=True)
    protected = {Path(name).resolve() for name in inputs if name != "-"}
    planned = [(folder / f"{source.stem}.{language}.{render.FORMATS[output_format]}",
                render.RENDERERS[output_format](result, language)) for language in targets]
    planned.append((folder / f"{source.stem}.newsdesk.json", render.to_json(result)))
    for path, _ in planned:
        if path.resolve() in protected:
            raise InvalidInput(f"writing {path.name} would overwrite an input; choose another folder with -o")
    for path, content in planned:
        path.write_text(content, encoding="utf-8")
    return [path for path, _ in planned]


def _echo_removed(name: str, article) -> None:
    """List on stderr, one per line, what the cleaner left out of the article and why."""
    from .clean import REMOVAL_REASONS

    click.echo(f"{name}: {len(article.removed)} line(s) left out of the article", err=True)
    for line in article.removed:
        click.echo(f"  [{line.reason}: {REMOVAL_REASONS[line.reason]}] {line.text}", err=True)


@cli.command("summarize")
@click.argument("file", default="-")
@click.option("--summary", "length", default=str(defaults.SUMMARY_LENGTH), show_default=True, help="Sentences (5) or share (20%).")
@click.option("--method", default=defaults.SUMMARY_METHOD, show_default=True, help="Summary method.")
@click.option("--source", default=defaults.SOURCE, show_default=True, help="Language of the article (auto = detect).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (title, summary sentences and indices).")
@SHOW_REMOVED
def summarize_command(file, length, method, source, as_json, show_removed) -> None:
    """Print the summary of an article FILE (or stdin); needs no language pack."""
    from .pipeline import summarize_article

    article = _read_input(file)
    result = summarize_article(article.text, summary=length, method=method, source=source, left_out=article.left_out)
    if show_removed:
        _echo_removed(file, result.article)
    if as_json:
        payload = {"title": result.article.title, "language": result.source, "method": result.method,
                   "indices": list(result.summary), "summary": result.summary_sentences}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    for sentence in result.summary_sentences:
        click.echo(sentence)


@cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty instead of waiting for more.")
@click.option("--name", help="Worker name shown in logs (default: a random one).")
@click.pass_obj
def worker_command(settings: Settings, burst: bool, name: str | None) -> None:
    """Process batch-job articles from the Redis at NEWSDESK_REDIS_URL, until stopped.

    Run any number, on any machines with the packs installed. Ctrl+C (or SIGTERM)
    finishes the current article first; an article of a worker that dies is retried.
    """
    from .jobqueue import run_worker

    if not settings.redis_url:
        raise InvalidSetting("`newsdesk worker` needs NEWSDESK_REDIS_URL, the Redis the web service queues jobs in "
                             "(e.g. redis://127.0.0.1:6379/0); without it the web service runs batch jobs itself")
    logging.getLogger().setLevel(logging.INFO)
    run_worker(settings, burst=burst, name=name)


@cli.group("jobs")
@click.option("--url", envvar="NEWSDESK_URL", default="http://127.0.0.1:8000", show_default=True,
              help="The newsdesk service (env NEWSDESK_URL).")
@click.option("--key", envvar="NEWSDESK_API_KEY", help="API key, when the service requires one (env NEWSDESK_API_KEY).")
@click.pass_context
def jobs_group(context: click.Context, url: str, key: str | None) -> None:
    """Run many articles as one batch job on a newsdesk service: submit, status, fetch."""
    from .jobsclient import JobsClient

    context.obj = JobsClient(url, key)


@jobs_group.command("submit")
@click.argument("paths", nargs=-1, required=True)
@click.option("--to", "targets", default=",".join(defaults.TARGETS), show_default=True, help="Target languages, comma-separated.")
@click.option("--summary", "length", default=str(defaults.SUMMARY_LENGTH), show_default=True, help="Summary length: sentences (5) or share (20%).")
@click.option("--method", default=defaults.SUMMARY_METHOD, show_default=True, help="Summary method.")
@click.option("--source", default=defaults.SOURCE, show_default=True, help="Language of the articles (auto = detect).")
@click.option("--idempotency-key", help="Submitting again with the same key returns the first job, without redoing it.")
@click.option("--wait/--no-wait", default=True, show_default=True, help="Wait with a progress bar, then fetch the results.")
@click.option("-o", "--output-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the results (default: newsdesk-JOB_ID).")
@click.option("--format", "file_format", type=click.Choice(list(defaults.OUTPUT_FORMATS)), default=defaults.OUTPUT_FORMAT,
              show_default=True, help="Format of the per-language files.")
@click.pass_obj
def jobs_submit(client, paths, targets, length, method, source, idempotency_key, wait, output_dir, file_format) -> None:
    """Submit article files, folders of them, or one .zip or .jsonl, as one job.

    Prints the job id. With --wait (the default) shows progress, then writes the
    results like `newsdesk process` does and lists any article that failed (exit 1).
    """
    from .jobsclient import batch_upload

    name, data = batch_upload([Path(path) for path in paths])
    options = {"targets": targets, "summary": length, "method": method, "source": source}
    report = client.submit(name, data, options, idempotency_key)
    click.echo(report["id"])
    if report.get("replayed"):
        click.echo(f"job {report['id']} was already submitted with this idempotency key; not submitted again", err=True)
    if wait:
        report = client.wait(report["id"])
        _finish_fetch(client, report, output_dir, file_format)


@jobs_group.command("status")
@click.argument("job_id")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.pass_obj
def jobs_status(client, job_id: str, as_json: bool) -> None:
    """Show a job's state, progress and the articles that failed."""
    report = client.status(job_id)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    progress = report["progress"]
    click.echo(f"{report['id']}: {report['status']}, {progress['done']} done, {progress['failed']} failed, "
               f"{progress['total']} articles")
    for error in report["errors"]:
        click.echo(f"  failed: {error['name']}: {error['error']}")


@jobs_group.command("fetch")
@click.argument("job_id")
@click.option("-o", "--output-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the results (default: newsdesk-JOB_ID).")
@click.option("--format", "file_format", type=click.Choice(list(defaults.OUTPUT_FORMATS)), default=defaults.OUTPUT_FORMAT,
              show_default=True, help="Format of the per-language files.")
@click.option("--jsonl", is_flag=True, help="Print the results as JSON lines instead of writing files.")
@click.option("--wait", is_flag=True, help="Wait for the job to finish first, with a progress bar.")
@click.pass_obj
def jobs_fetch(client, job_id: str, output_dir, file_format: str, jsonl: bool, wait: bool) -> None:
    """Write a finished job's results: per-language files and NAME.newsdesk.json per article."""
    report = client.wait(job_id) if wait else client.status(job_id)
    if report["status"] not in ("finished", "cancelled"):
        progress = report["progress"]
        raise JobNotFinished(f"job {job_id} is still {report['status']} ({progress['done'] + progress['failed']} of "
                           f"{progress['total']} articles done): add --wait to wait for it")
    if jsonl:
        click.echo(client.results_jsonl(job_id), nl=False)
        return
    _finish_fetch(client, report, output_dir, file_format)


def _finish_fetch(client, report: dict, output_dir: Path | None, file_format: str) -> None:
    folder = output_dir or Path(f"newsdesk-{report['id']}")
    written = client.fetch_files(report["id"], folder, file_format)
    progress = report["progress"]
    click.echo(f"{len(written)} files in {folder}/ ({progress['done']} of {progress['total']} articles done)", err=True)
    for error in report["errors"]:
        click.echo(f"failed: {error['name']}: {error['error']}", err=True)
    if progress["failed"] or report["status"] == "cancelled":
        raise click.exceptions.Exit(EXIT_FAILURE)


@cli.command("settings")
@click.pass_obj
def show_settings(settings: Settings) -> None:
    """List every setting: environment variable, current value and meaning."""
    for variable, _default, meaning in Settings.documentation():
        value = getattr(settings, variable.removeprefix("NEWSDESK_").lower())
        click.echo(f"{variable}={value}\n    {meaning}")


if __name__ == "__main__":
    sys.exit(main())
