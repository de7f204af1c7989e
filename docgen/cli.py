"""The command line: build, check, parse. Exit 0 ok, 1 errors or drift, 2 usage."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from docgen import __version__
from docgen.config import Config, ConfigError, load_config
from docgen.diagnostics import Severity, Sink
from docgen.ir import Span
from docgen.speed.manifest import NAME as MANIFEST


def _options(func):
    for option in reversed(
        [
            click.option("--input", "input_", type=click.Path(path_type=Path), help="Folder of Markdown pages."),
            click.option("--output", type=click.Path(path_type=Path), help="Folder to generate into."),
            click.option(
                "--templates", type=click.Path(path_type=Path), help="Folder whose templates overlay the defaults."
            ),
            click.option("--package", help="Name of the generated package."),
            click.option("--strict/--no-strict", default=None, help="Treat warnings as errors."),
        ]
    ):
        func = option(func)
    return func


def _config(
    input_: Path | None, output: Path | None, templates: Path | None, package: str | None, strict: bool | None
) -> Config:
    try:
        return load_config(
            Path.cwd(),
            {"input": input_, "output": output, "templates": templates, "package": package, "strict": strict},
        )
    except ConfigError as exc:
        click.echo(f"docgen: error: {exc}", err=True)
        sys.exit(2)


def _print_diagnostics(sink: Sink, *, only_failing: bool = False, strict: bool = False) -> None:
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    for diagnostic in sink.sorted():
        if not only_failing or diagnostic.severity in failing:
            click.echo(diagnostic.format(), err=True)


def _generate(config: Config, sink: Sink, tree: dict, *, progress: bool):
    from docgen.pipeline import generate_tree
    from docgen.speed.progress import ProgressBar

    bar = ProgressBar.for_stderr() if progress else None
    try:
        return generate_tree(config, sink, tree, bar)
    finally:
        if bar is not None:
            bar.close()


def _shown(folder: Path) -> str:
    """A folder as output shows it: relative to the working directory when inside it."""
    try:
        return folder.resolve().relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return str(folder)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="""\b
Examples:
  docgen build                       # [tool.docgen] in pyproject.toml says what and where
  docgen check --max-diff-lines 50   # in CI or pre-commit: exit 1 while generated/ is stale
  docgen build --input docs --output client --templates my_templates

Run `docgen COMMAND --help` for the options of each command.""",
)
@click.version_option(__version__, "-V", "--version", prog_name="docgen")
def main() -> None:
    """Generate a typed Python client from Markdown API reference pages.

    Exit status: 0 success, 1 errors or an out-of-date output folder, 2 usage errors.
    """


@main.command(epilog="""\b
Examples:
  docgen build
  docgen build --input docs_input --output generated --strict
  docgen build --templates my_templates   # my_templates/model.py.j2 replaces the default one
  docgen build --exit-non-zero-on-change  # what the docgen-build pre-commit hook runs""")
@_options
@click.option(
    "--exit-non-zero-on-change",
    is_flag=True,
    help="Exit 1 when files were written or removed (so a pre-commit hook fails the commit).",
)
def build(exit_non_zero_on_change: bool, **options: Any) -> None:
    """Generate the output folder from the pages.

    Everything is rendered in memory first; the folder is changed only if nothing failed.
    """
    from docgen.output import UnsafePath, check_paths, diff_tree, read_tree, write_tree
    from docgen.pipeline import summary_line

    config = _config(**options)
    sink = Sink()
    out, shown = config.output, _shown(config.output)
    tree = read_tree(out)
    result = _generate(config, sink, tree, progress=True)
    try:
        check_paths(result.files, out)
    except UnsafePath as exc:
        sink.report("DG702", Span(path=shown, line=1), f"refusing to write {exc}")
    drift = diff_tree(result.files, tree)
    for rel in drift.blocked:
        sink.report(
            "DG701", Span(path=f"{shown}/{rel}", line=1), "this file has no docgen header; it was not overwritten"
        )
    _print_diagnostics(sink)
    if sink.failed(config.strict):
        click.echo("docgen: build failed; the output folder was not changed", err=True)
        sys.exit(1)
    try:
        touched = write_tree(out, result.files, drift)
    except OSError as exc:
        click.echo(f"{shown}:1:1: error[DG703]: cannot write the output folder: {exc}; it was left as it was", err=True)
        sys.exit(1)
    click.echo(summary_line(result, sink))
    click.echo(f"{touched} files written or removed in {shown}" if touched else f"{shown} is up to date")
    if touched and exit_non_zero_on_change:
        click.echo("docgen: files changed; review them and stage them (--exit-non-zero-on-change)", err=True)
        sys.exit(1)


@main.command(epilog="""\b
Examples:
  docgen check
  docgen check --quiet                  # only the summary line; errors still go to stderr
  docgen check --max-diff-lines 0       # every diff line, however many
  docgen check --format json | jq '.files[] | select(.state == "changed") | .sources'""")
@_options
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary line (and errors on stderr).")
@click.option(
    "--max-diff-lines",
    type=click.IntRange(min=0),
    default=200,
    show_default=True,
    metavar="N",
    help="Show at most N diff lines in all, then count what was left out; 0 shows everything.",
)
@click.option(
    "--format",
    "format_",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: one object on stdout for tools (documented in the README); nothing on stderr.",
)
def check(quiet: bool, max_diff_lines: int, format_: str, **options: Any) -> None:
    """Exit 1 when the output folder is not what `build` would write. Writes nothing.

    Lists each changed, missing, stale or blocking file with the pages it comes from, and the
    diffs (capped), then one summary line.
    """
    from docgen.output import diff_tree, read_tree
    from docgen.report import Report, file_states, json_object, text_lines
    from docgen.speed.incremental import (
        fingerprint,
        read_manifest,
        recorded_diagnostics,
        verified,
    )

    config = _config(**options)
    sink = Sink()
    states = ()
    manifest = read_manifest(config.output)
    if manifest is not None and verified(config.output, manifest, fingerprint(config)):
        # The fast path: the tree is what a build made from exactly these inputs.
        sink.extend(recorded_diagnostics(manifest))
        errors = sink.count(Severity.ERROR)
    else:
        tree = read_tree(config.output)
        result = _generate(config, sink, tree, progress=not quiet and format_ == "text")
        errors = sink.count(Severity.ERROR)
        if not errors:  # with errors the generated set is incomplete: a diff would mislead
            drift = diff_tree(result.files, tree)
            manifest_only = _drop_manifest(drift)
            if manifest_only and format_ == "text" and not quiet:
                click.echo(
                    f"note: {_shown(config.output)}/{MANIFEST} is not current (docgen or its inputs changed "
                    "without a change to the code); `docgen build` refreshes it, and makes `check` fast again",
                    err=True,
                )
            states = file_states(drift, result.files, result.sources, tree)
    report = Report(
        output=_shown(config.output),
        files=states,
        diagnostics=tuple(sink.sorted()),
        failed=sink.failed(config.strict),
        errors=errors,
    )
    if format_ == "json":
        click.echo(json.dumps(json_object(report), indent=2, sort_keys=True, ensure_ascii=False))
    else:
        _print_diagnostics(sink, only_failing=quiet, strict=config.strict)
        for line in text_lines(report, max_diff_lines, quiet=quiet):
            click.echo(line)
    sys.exit(report.status)


def _drop_manifest(drift) -> bool:
    """The manifest is bookkeeping: a stale one makes `check` slower, not the tree out of date.
    True when it was the only file that differed."""
    stale_manifest = MANIFEST in drift.changed or MANIFEST in drift.missing
    drift.changed = [rel for rel in drift.changed if rel != MANIFEST]
    drift.missing = [rel for rel in drift.missing if rel != MANIFEST]
    return stale_manifest and drift.clean


@main.command(epilog="""\b
Examples:
  docgen parse docs_input/cartToClassAssociation-create.md
  docgen parse docs_input/*.md | jq '.pages[].operations[].paths'""")
@click.argument("pages", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False))
def parse(pages: tuple[Path, ...]) -> None:
    """Print the IR of pages as JSON (format documented in the README), with source lines."""
    from docgen.ir_json import to_json
    from docgen.pipeline import extract_safely
    from docgen.read import read_page

    sink = Sink()
    documents = []
    for page in pages:
        source = read_page(page.parent, page.name, str(page.parent.as_posix()), sink)
        document = extract_safely(source, sink) if source is not None else None
        if document is not None:
            documents.append(document)
    click.echo(json.dumps(to_json(documents), indent=2, sort_keys=True, ensure_ascii=False))
    _print_diagnostics(sink)
    if sink.failed(False):
        sys.exit(1)


@main.command(epilog="""\b
Examples:
  docgen lint                              # the [tool.docgen] input folder
  docgen lint ../docs/api-reference        # any folder of pages
  docgen lint docs/api/user-get.md         # one page, linked against the rest of its folder
  docgen lint --changed-since origin/main --format github   # in a pull request's CI job
  docgen lint --format sarif > docgen.sarif                 # for a code-scanning upload""")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, exists=True))
@click.option(
    "--format",
    "format_",
    type=click.Choice(["text", "json", "sarif", "github"]),
    default="text",
    show_default=True,
    help="text: one line per finding; json: one object (README); sarif: SARIF 2.1.0; github: workflow commands.",
)
@click.option("--changed-since", metavar="REF", help="Only report on pages changed since this git ref (and untracked).")
@click.option("--strict/--no-strict", default=None, help="Exit 1 on warnings too.")
@click.option("--input", "input_", type=click.Path(path_type=Path), help="Folder of Markdown pages (without PATH).")
def lint(paths: tuple[Path, ...], format_: str, changed_since: str | None, strict: bool | None, input_) -> None:
    """Report every problem docgen finds in the pages, with a code, a line and what to change.

    PATH is a folder of pages (linted whole) or a page (linted against the other pages of the
    [tool.docgen] input folder when it is inside it, else of its own folder). Exit 1 on errors
    (on warnings too with --strict), 2 on usage errors. Findings go to stdout.
    """
    import dataclasses

    from docgen.lint import lint as run_lint
    from docgen.lint.formats import FORMATS
    from docgen.lint.scope import ScopeError, changed_pages, targets

    config = _config(input_, None, None, None, strict)
    try:
        roots = targets(paths, config.input)
        if changed_since is not None:
            roots = changed_pages(roots, changed_since)
    except ScopeError as exc:
        click.echo(f"docgen: error: {exc}", err=True)
        sys.exit(2)
    results = [
        run_lint(dataclasses.replace(config, input=root), scope, shown_as=_relative(root))
        for root, scope in sorted(roots.items())
    ]
    from docgen.lint import LintResult

    result = LintResult(
        findings=tuple(sorted({d for r in results for d in r.findings})),
        pages=sum(r.pages for r in results),
        suppressed=sum(r.suppressed for r in results),
    )
    status = 1 if result.failed(config.strict) else 0
    click.echo(FORMATS[format_](result, status), nl=False)
    sys.exit(status)


def _relative(folder: Path) -> str:
    """A folder relative to the working directory (`../docs` too), as editors and CI link paths."""
    try:
        return Path(os.path.relpath(folder.resolve(), Path.cwd().resolve())).as_posix()
    except ValueError:  # another drive
        return str(folder)


@main.group(epilog="""\b
Examples:
  docgen export openapi --output specs/   # specs/openapi.v1.0.json, specs/openapi.beta.json""")
def export() -> None:
    """Write the pages in formats other tools read."""


@export.command(epilog="""\b
Examples:
  docgen export openapi                              # openapi.json, or openapi.<version>.json per version
  docgen export openapi --input ../docs --output specs/""")
@click.option("--input", "input_", type=click.Path(path_type=Path), help="Folder of Markdown pages.")
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder to write openapi.<version>.json into (openapi.json for pages with no version).",
)
@click.option("--strict/--no-strict", default=None, help="Fail on warnings in the pages too.")
def openapi(input_: Path | None, output: Path, strict: bool | None) -> None:
    """An OpenAPI 3.1 document per API version, from the same IR the client is generated from.

    operationId is the generated method's name; examples carry x-docgen-source: "page:line".
    Diagnostics of the pages go to stderr; exit 1 on errors (warnings too with --strict).
    """
    from docgen.export.openapi import export_openapi
    from docgen.lint import validated_specs

    config = _config(input_, None, None, None, strict)
    sink = Sink()
    specs = validated_specs(config, sink)
    documents = export_openapi(specs, config.base_url, f"{config.input.resolve().name} (docgen export)")
    _print_diagnostics(sink, only_failing=True, strict=config.strict)
    if sink.failed(config.strict):
        click.echo("docgen: export failed; nothing was written", err=True)
        sys.exit(1)
    output.mkdir(parents=True, exist_ok=True)
    for name, text in documents.items():
        (output / name).write_text(text, encoding="utf-8")
        click.echo(f"wrote {_shown(output / name)}")


@main.command(epilog="""\b
Examples:
  docgen which "GET /me/messages?$top=5"
  docgen which "GET https://graph.microsoft.com/v1.0/users/{user-id}/events/{id}"
  docgen which --input ../docs 'POST /groups/{id}/members/$ref'""")
@click.argument("request_line", metavar="'METHOD /path[?query]'")
@click.option("--input", "input_", type=click.Path(path_type=Path), help="Folder of Markdown pages.")
@click.option("--package", help="Name of the generated package.")
def which(request_line: str, input_: Path | None, package: str | None) -> None:
    """Print the generated method that makes a documented REST call: its client, signature,
    the call with the request's values, and the page and line of the documented path.

    Path segments compare case-insensitively; a placeholder of the docs fits any segment, so
    the path may be given as documented (`{user-id}`) or with values. Exit 1 (with the closest
    documented paths) when no documented operation makes the call, 2 on usage errors.
    """
    from docgen.lint import validated_specs
    from docgen.which import Index, RequestLineError, call, closest, parse_request, signature
    from docgen.which import which as find

    config = _config(input_, None, None, package, None)
    try:
        request = parse_request(request_line)
    except RequestLineError as exc:
        click.echo(f"docgen: error: {exc}", err=True)
        sys.exit(2)
    index = Index.of(validated_specs(config, Sink()), config.package)
    found = find(index, request)
    if not found:
        click.echo(f"docgen: no documented operation makes {request.line}", err=True)
        near = closest(index, request)
        if near:
            click.echo("closest documented paths:", err=True)
            for line, path in near:
                click.echo(f"  {line}  ({path.span})", err=True)
        sys.exit(1)
    click.echo(request.line)
    for item in found:
        client = f"{item.module}.GraphClient"
        click.echo(f"  {client}.{signature(item.method)}")
        made = call(item, request)
        if made is not None:
            click.echo("  call: " + made.replace("\n", "\n  "))
        documented = f"{item.path.method} {item.path.path}" + (
            f"?{item.path.query.lstrip('?')}" if item.path.query else ""
        )
        click.echo(f"  from {item.path.span}: {documented}")
