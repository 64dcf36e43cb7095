"""`newsdesk process`, `summarize` and `translate`: articles and text files, on this machine."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .. import defaults
from ..config import Settings
from ..errors import InvalidInput, ServiceError
from .common import EXIT_FAILURE


@click.command("translate")
@click.option("-s", "--source", required=True, help="Language of the input (ISO 639-1, e.g. en).")
@click.option("-t", "--target", required=True, help="Language to translate into (e.g. de).")
@click.argument("file", default="-")
@click.pass_obj
def translate_command(settings: Settings, source: str, target: str, file: str) -> None:
    """Translate FILE (or stdin), one sentence per line; print one translation per line."""
    from ..stages.documents import decode_text
    from ..pipeline import known_language
    from ..desk.translating import translate

    source, target = (known_language(code, what=option, settings=settings)
                      for code, option in ((source, "--source"), (target, "--target")))
    label = "stdin" if file == "-" else file
    try:
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as error:
        raise InvalidInput(f"{file}: cannot read it ({error.strerror})") from None
    lines = decode_text(data, label).splitlines()
    if not any(line.strip() for line in lines):
        raise InvalidInput(f"{label} is empty: give it the sentences to translate, one a line")
    for line in translate(lines, source, target, settings):
        click.echo(line)


def _read_input(name: str, settings: Settings | None = None):
    """The article in file NAME, or on stdin for "-" (a documents.Document)."""
    from ..stages.documents import Document, read_file, read_page
    from ..stages.office import Limits

    if name == "-":
        text = sys.stdin.read()
        article = read_page(text) if text.lstrip()[:15].lower().startswith(("<!doctype html", "<html")) else Document(text)
    else:
        article = read_file(Path(name), limits=Limits.of(settings) if settings else None)
    if not article.text.strip():  # said here in a command line's words; the pipeline's are a page's
        raise InvalidInput(f"{'stdin' if name == '-' else name} is empty: give a file that holds the article's text")
    return article


def _targets(value: str) -> tuple[str, ...]:
    return tuple(code.strip() for code in value.split(",") if code.strip())


SHOW_REMOVED = click.option("--show-removed", is_flag=True,
                            help="List on stderr the lines left out of the article (navigation, captions, ...) and why.")


@click.command("process")
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
@click.option("--alternatives", type=click.IntRange(0, defaults.MAX_ALTERNATIVES), default=0, show_default=True,
              help="Next-best translations per sentence, in the .newsdesk.json pairs.")
@SHOW_REMOVED
@click.pass_obj
def process_command(settings: Settings, files, output_dir, targets, length, method, source, output_format,
                    alternatives, show_removed) -> None:
    """Clean, summarize and translate article FILES (.txt, .md, .html, .docx, .odt, .pdf; - for stdin).

    Writes ARTICLE.<lang>.<ext> per target language and ARTICLE.newsdesk.json with
    everything; for a .docx or .odt also ARTICLE.<lang>.docx or .odt (the document
    translated, its layout kept) and ARTICLE.<lang>.summary.docx or .odt. A file that
    fails, or a language without its pack, is reported; the rest is still written (exit 1).
    """
    from tqdm import tqdm

    from ..pipeline import process
    from ..pipeline import known_language

    targets = tuple(known_language(code, what="--to", settings=settings) for code in _targets(targets))
    failures = 0
    # tqdm shows a bar only on a terminal (disable=None), so logs and pipes stay clean; while it
    # shows, every line goes out through it, so that lines and bar never overwrite each other.
    # It counts the pipeline's steps, not files: one long article moves it too (issue 28).
    per_article = STEPS_BEFORE_TRANSLATING + len(targets)
    # Not with stdin's result going to the terminal too: its lines would be written over the bar.
    bar = tqdm(total=len(files) * per_article, desc="articles", unit="step", file=sys.stderr,
               disable=True if "-" in files else None)
    echo = click.echo if bar.disable else lambda line, err=False: bar.write(line, file=sys.stderr if err else sys.stdout)
    for number, name in enumerate(files):
        try:
            article = _read_input(name, settings)
            # partial: a language without its pack is reported, the others are still written.
            result = process(article.text, targets=targets, summary=length, method=method, source=source,
                             settings=settings, left_out=article.left_out, main_content=article.main_content,
                             outline=article.outline, alternatives=alternatives, partial=True,
                             on_step=_bar_step(bar, name), aligned=_has_copy(name))
            if show_removed:
                _echo_removed(name, result.article, echo)
            reached = tuple(target for target in targets if target not in result.failed)
            if reached or not targets:
                if name == "-":
                    _print_result(result, reached, output_format)
                else:
                    copies = _document_copies(result, Path(name), reached, settings)
                    for written in _write_outputs(result, Path(name), output_dir, reached, output_format, files,
                                                  copies):
                        echo(str(written))
            for why in result.failed.values():
                echo(f"error: {name}: {why}", err=True)
            failures += bool(result.failed)
        except ServiceError as error:
            failures += 1
            message = str(error)  # a reader's message may name the file already: once is enough
            echo(f"error: {message}" if message.startswith((name, Path(name).name)) else f"error: {name}: {message}",
                 err=True)
        finally:
            with bar.get_lock():  # a file that failed part-way counts as passed
                bar.update((number + 1) * per_article - bar.n)
    bar.close()
    if failures:
        click.echo(f"{failures} of {len(files)} files failed", err=True)
        raise click.exceptions.Exit(EXIT_FAILURE)


# process() steps counted on the bar before the translations: cleaned, split, summarized; then
# one "translated" per target language ("translating" only names what runs).
STEPS_BEFORE_TRANSLATING = 3


def _bar_step(bar, name: str):
    """An on_step for process() that moves ``bar`` and says the step (from the translation threads too)."""
    label = "stdin" if name == "-" else Path(name).name

    def on_step(step) -> None:
        with bar.get_lock():
            bar.set_description_str(f"{label}: {step.describe()}", refresh=False)
            bar.update(0 if step.stage == "translating" else 1)

    return on_step


def _print_result(result, targets, output_format) -> None:
    from .. import render

    if output_format == "json":
        click.echo(render.to_json(result), nl=False)
        return
    for language in targets:
        if len(targets) > 1:  # several documents on one stream: say where each begins, as tail does
            click.echo(f"==> {language} <==")
        click.echo(render.RENDERERS[output_format](result, language))


def _has_copy(name: str) -> bool:
    """Whether the file gets a translated copy of itself (.docx, .odt): its article is then
    translated with the model's alignment, which the copy's formatting follows."""
    from ..stages.office import COPY_SUFFIXES

    return Path(name).suffix.lower() in COPY_SUFFIXES


def _document_copies(result, source: Path, targets, settings: Settings) -> list[tuple[str, bytes]]:
    """For a .docx or .odt: per target, (file name, bytes) of the translated copy and the summary document."""
    from .. import render
    from ..stages.office import COPY_SUFFIXES
    from ..pipeline import translated_document

    suffix = source.suffix.lower()
    if suffix not in COPY_SUFFIXES:
        return []
    data = source.read_bytes()
    copies = []
    for language in targets:
        copy_name, summary_name = render.document_file_names(source.stem, suffix, language)
        copies.append((copy_name, translated_document(source.name, data, source=result.source, target=language,
                                                      settings=settings)))
        copies.append((summary_name, render.to_summary_document(result, language, suffix=suffix)))
    return copies


def _write_outputs(result, source: Path, output_dir, targets, output_format, inputs,
                   copies: list[tuple[str, bytes]]) -> list[Path]:
    from .. import render

    folder = output_dir or source.parent
    folder.mkdir(parents=True, exist_ok=True)
    protected = {Path(name).resolve() for name in inputs if name != "-"}
    planned = [(folder / f"{source.stem}.{language}.{render.FORMATS[output_format]}",
                render.RENDERERS[output_format](result, language)) for language in targets]
    planned += [(folder / copy_name, content) for copy_name, content in copies]
    planned.append((folder / f"{source.stem}.newsdesk.json", render.to_json(result)))
    for path, _ in planned:
        if path.resolve() in protected:
            raise InvalidInput(f"writing {path.name} would overwrite an input; choose another folder with -o")
    for path, content in planned:
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return [path for path, _ in planned]


def _echo_removed(name: str, article, echo=click.echo) -> None:
    """List on stderr, one per line, what the cleaner left out of the article and why."""
    from ..stages.clean import REMOVAL_REASONS

    echo(f"{name}: {len(article.removed)} line(s) left out of the article", err=True)
    for line in article.removed:
        echo(f"  [{line.reason}: {REMOVAL_REASONS[line.reason]}] {line.text}", err=True)


@click.command("summarize")
@click.argument("file", default="-")
@click.option("--summary", "length", default=str(defaults.SUMMARY_LENGTH), show_default=True, help="Sentences (5) or share (20%).")
@click.option("--method", default=defaults.SUMMARY_METHOD, show_default=True, help="Summary method.")
@click.option("--source", default=defaults.SOURCE, show_default=True, help="Language of the article (auto = detect).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (title, summary sentences and indices).")
@SHOW_REMOVED
@click.pass_obj
def summarize_command(settings: Settings, file, length, method, source, as_json, show_removed) -> None:
    """Print the summary of an article FILE (or stdin); needs no language pack."""
    from ..pipeline import summarize_article

    article = _read_input(file, settings)  # the NEWSDESK_MAX_DOCUMENT_* limits hold here too
    result = summarize_article(article.text, summary=length, method=method, source=source, left_out=article.left_out,
                               main_content=article.main_content, outline=article.outline)
    if show_removed:
        _echo_removed(file, result.article)
    if as_json:
        payload = {"title": result.article.title, "language": result.source, "method": result.method,
                   "indices": list(result.summary), "summary": result.summary_sentences}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    for sentence in result.summary_sentences:
        click.echo(sentence)
