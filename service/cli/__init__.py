"""Run newsdesk from the command line: articles, language packs, API keys and batch jobs.

``main`` is the one place that turns errors into a message on stderr and an exit code.
Each command group lives in its own module: ``articles`` (process, summarize, translate),
``langpacks``, ``keys``, ``glossary``, ``memory`` and ``jobs`` (worker, and jobs on a service via ``jobsclient``).
"""

from __future__ import annotations

import logging

import click

from ..config import Settings
from ..errors import InvalidInput, ServiceError, UnsupportedLanguage
from . import articles, glossary, jobs, keys, langpacks, memory
from .common import EXIT_FAILURE, EXIT_USAGE


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


@cli.command("settings")
@click.pass_obj
def show_settings(settings: Settings) -> None:
    """List every setting: environment variable, current value and meaning."""
    for variable, _default, meaning in Settings.documentation():
        value = getattr(settings, variable.removeprefix("NEWSDESK_").lower())
        click.echo(f"{variable}={value}\n    {meaning}")


for command in (keys.keys_group, langpacks.langpacks_group, articles.translate_command, articles.process_command,
                articles.summarize_command, jobs.worker_command, jobs.jobs_group, memory.memory_group,
                glossary.glossary_group):
    cli.add_command(command)
