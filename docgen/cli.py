"""The command line: build, check, parse. Exit 0 ok, 1 errors or drift, 2 usage."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from docgen import __version__
from docgen.config import Config, ConfigError, load_config
from docgen.diagnostics import Sink


def _options(func):
    for option in reversed(
        [
            click.option("--input", "input_", type=click.Path(path_type=Path), help="Folder of Markdown pages."),
            click.option("--output", type=click.Path(path_type=Path), help="Folder to generate into."),
            click.option("--templates", type=click.Path(path_type=Path), help="Folder whose templates overlay the defaults."),
            click.option("--package", help="Name of the generated package."),
            click.option("--strict", is_flag=True, default=None, help="Treat warnings as errors."),
        ]
    ):
        func = option(func)
    return func


def _config(input_: Path | None, output: Path | None, templates: Path | None, package: str | None, strict: bool | None) -> Config:
    try:
        return load_config(
            Path.cwd(),
            {"input": input_, "output": output, "templates": templates, "package": package, "strict": strict},
        )
    except ConfigError as exc:
        click.echo(f"docgen: error: {exc}", err=True)
        sys.exit(2)


def _print_diagnostics(sink: Sink) -> None:
    for diagnostic in sink.sorted():
        click.echo(diagnostic.format(), err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="docgen")
def main() -> None:
    """Generate a typed Python client from Markdown API reference pages."""


@main.command()
@_options
def build(**options: Any) -> None:
    """Generate the output folder from the pages.

    Example: docgen build --input docs_input --output generated
    """
    from docgen.output import UnsafePath, check_paths, diff_tree, read_tree, write_tree
    from docgen.pipeline import generate, summary_line

    config = _config(**_renamed(options))
    sink = Sink()
    result = generate(config, sink)
    out = config.output
    try:
        check_paths(result.files, out)
    except UnsafePath as exc:
        sink.report("DG702", str(out), 1, f"refusing to write {exc}")
    drift = diff_tree(result.files, read_tree(out))
    for rel in drift.blocked:
        sink.report("DG701", f"{out}/{rel}", 1, "this file has no docgen header; it was not overwritten")
    _print_diagnostics(sink)
    if sink.failed(config.strict):
        click.echo("docgen: build failed; the output folder was not changed", err=True)
        sys.exit(1)
    try:
        touched = write_tree(out, result.files, drift)
    except OSError as exc:
        click.echo(f"{out}:1:1: error[DG703]: cannot write the output folder: {exc}; it was left as it was", err=True)
        sys.exit(1)
    click.echo(summary_line(result, sink))
    click.echo(f"{touched} files written or removed in {out}" if touched else f"{out} is up to date")


@main.command()
@_options
def check(**options: Any) -> None:
    """Exit 1, with a diff, when the output folder is not what `build` would write. Writes nothing.

    Example: docgen check
    """
    from docgen.output import diff_tree, read_tree, unified
    from docgen.pipeline import generate

    config = _config(**_renamed(options))
    sink = Sink()
    result = generate(config, sink)
    tree = read_tree(config.output)
    drift = diff_tree(result.files, tree)
    _print_diagnostics(sink)
    out_label = config.output.name if config.output.is_absolute() else str(config.output)
    try:
        out_label = str(config.output.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        pass
    for rel in drift.changed + drift.missing:
        pages = ", ".join(result.sources.get(rel, ()))
        state = "is out of date" if rel in drift.changed else "is missing"
        click.echo(f"{out_label}/{rel} {state} (from {pages})")
        old = tree[rel].text or "" if rel in tree else ""
        click.echo("".join(_unified_lines(rel, old, result.files[rel], out_label)), nl=False)
    for rel in drift.stale:
        click.echo(f"{out_label}/{rel} is stale: no page produces it now")
    for rel in drift.blocked:
        click.echo(f"{out_label}/{rel} has no docgen header and is in the way")
    failed = sink.failed(config.strict)
    if drift.clean and not failed:
        click.echo(f"{out_label} is up to date")
        return
    count = len(drift.changed) + len(drift.missing) + len(drift.stale) + len(drift.blocked)
    if count:
        click.echo(f"{count} file{'s' if count != 1 else ''} out of date. Run `docgen build` to update.")
    sys.exit(1)


def _unified_lines(rel: str, old: str, new: str, out_label: str) -> list[str]:
    from docgen.output import unified

    lines = unified(rel, old, new, out_label)
    return [line if line.endswith("\n") else line + "\n" for line in lines]


@main.command()
@click.argument("pages", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False))
def parse(pages: tuple[Path, ...]) -> None:
    """Print the IR of pages as JSON (format documented in the README), with source lines.

    Example: docgen parse docs_input/cartToClassAssociation-create.md
    """
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


def _renamed(options: dict[str, Any]) -> dict[str, Any]:
    options = dict(options)
    options["input_"] = options.pop("input_", None)
    return options
