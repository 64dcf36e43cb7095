"""`newsdesk worker` and `newsdesk jobs`: batch jobs, worked here or sent to a service."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import click

from .. import defaults, machine
from ..config import Settings
from ..errors import InvalidSetting, JobNotFinished
from .common import EXIT_FAILURE

log = logging.getLogger(__name__)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty instead of waiting for more.")
@click.option("--name", help="Worker name shown in logs (default: a random one).")
@click.pass_obj
def worker_command(settings: Settings, burst: bool, name: str | None) -> None:
    """Process batch-job articles from the Redis at NEWSDESK_REDIS_URL, until stopped.

    Run any number, on any machines with the packs installed. Ctrl+C (or SIGTERM)
    finishes the current article first; an article of a worker that dies is retried.
    """
    from ..batch.workers import run_worker

    if not settings.redis_url:
        raise InvalidSetting("`newsdesk worker` needs NEWSDESK_REDIS_URL, the Redis the web service queues jobs in "
                             "(e.g. redis://127.0.0.1:6379/0); without it the web service runs batch jobs itself")
    logging.getLogger().setLevel(logging.INFO)
    # Its packs have the cores to themselves (Settings.load's default): it is not one of gunicorn's workers.
    log.info("%s", machine.startup_line(cores=machine.read_cores(), workers=machine.ALONE,
                                        lanes=settings.inter_threads, threads=settings.intra_threads))
    run_worker(settings, burst=burst, name=name)


DEFAULT_SERVICE = "http://127.0.0.1:8000"


def service_options(command):
    """--url and --key, before the subcommand (`jobs --url U submit`) or after it (`jobs submit --url U`)."""
    command = click.option("--url", help=f"The newsdesk service (env NEWSDESK_URL; default {DEFAULT_SERVICE}).")(command)
    return click.option("--key", help="API key, when the service requires one (env NEWSDESK_API_KEY).")(command)


@click.group("jobs")
@service_options
@click.pass_context
def jobs_group(context: click.Context, url: str | None, key: str | None) -> None:
    """Run many articles as one batch job on a newsdesk service: submit, status, fetch."""
    context.obj = {"url": url, "key": key}


def _client(given: dict, url: str | None, key: str | None):
    """The service's client: options after the subcommand win over those before it, then the environment."""
    import os

    from .jobsclient import JobsClient

    return JobsClient(url or given["url"] or os.environ.get("NEWSDESK_URL") or DEFAULT_SERVICE,
                      key or given["key"] or os.environ.get("NEWSDESK_API_KEY"))


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
@service_options
@click.pass_obj
def jobs_submit(given, paths, targets, length, method, source, idempotency_key, wait, output_dir, file_format,
                url, key) -> None:
    """Submit article files, folders of them, or one .zip or .jsonl, as one job.

    Prints the job id. With --wait (the default) shows progress, then writes the
    results like `newsdesk process` does and lists any article that failed (exit 1).
    """
    from .jobsclient import batch_upload

    client = _client(given, url, key)

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
@service_options
@click.pass_obj
def jobs_status(given, job_id: str, as_json: bool, url, key) -> None:
    """Show a job's state, progress and the articles that failed."""
    report = _client(given, url, key).status(job_id)
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
@service_options
@click.pass_obj
def jobs_fetch(given, job_id: str, output_dir, file_format: str, jsonl: bool, wait: bool, url, key) -> None:
    """Write a finished job's results: per-language files and NAME.newsdesk.json per article."""
    client = _client(given, url, key)
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
