"""Between a build and the tree it left: the manifest that records what the tree was made from,
the fast verification `check` runs before regenerating anything, and the formatted texts a
build can take from the tree instead of formatting them again."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from docgen.config import Config, default_templates
from docgen.diagnostics import CODES, Diagnostic
from docgen.output import Existing, header_sources
from docgen.speed.fingerprint import input_fingerprint
from docgen.speed.manifest import NAME, Manifest, content_hash, parse_manifest

_DIAGNOSTIC = re.compile(r"^(.*):(\d+):(\d+): \w+\[(DG\d{3})\]: (.*)$")


def settings(config: Config) -> tuple[str, ...]:
    """The settings that reach the output."""
    values = (config.package, config.base_url, config.input.name, config.distribution_name, config.version)
    return (*values, "scopes", *config.scopes)


def fingerprint(config: Config) -> str:
    return input_fingerprint(config.input, (config.templates, default_templates()), settings(config))


def manifest_text(
    config: Config,
    inputs: str,
    files: dict[str, str],
    hashes: dict[str, str],
    diagnostics: list[Diagnostic],
    known: Mapping[str, str] | None = None,
) -> str:
    """`known`: a formatted text's content hash where it is known already (`known_hashes`)."""
    known = known or {}

    def written(text: str) -> str:
        found = known.get(text)
        return found if found is not None else content_hash(text)

    entries = {path: (hashes[path], written(text)) for path, text in files.items() if path in hashes}
    manifest = Manifest(inputs=inputs, files=entries, diagnostics=tuple(d.format() for d in diagnostics))
    return manifest.render(config.input.name)


def read_manifest(out: Path) -> Manifest | None:
    try:
        return parse_manifest((out / NAME).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def verified(out: Path, manifest: Manifest, inputs: str) -> bool:
    """True when the tree is exactly what the manifest's build wrote from these inputs: the
    same fingerprint, every listed file unchanged, and no other generated file beside them."""
    if manifest.inputs != inputs:
        return False
    for path, (_, written) in manifest.files.items():
        try:
            if content_hash((out / path).read_text(encoding="utf-8")) != written:
                return False
        except (OSError, UnicodeDecodeError):
            return False
    listed = set(manifest.files) | {NAME}
    for path in out.rglob("*.py"):
        rel = path.relative_to(out).as_posix()
        if rel in listed or "__pycache__" in path.parts:
            continue
        try:
            with path.open(encoding="utf-8") as handle:
                if header_sources(handle.readline()) is not None:
                    return False  # a generated file no build listed: stale
        except (OSError, UnicodeDecodeError):
            continue
    return True


def recorded_diagnostics(manifest: Manifest) -> list[Diagnostic]:
    result = []
    for line in manifest.diagnostics:
        match = _DIAGNOSTIC.match(line)
        if match and match.group(4) in CODES:
            path, row, col, code, message = match.groups()
            result.append(Diagnostic(path, int(row), int(col), code, message))
    return result


def known_formatted(manifest: Manifest | None, tree: Mapping[str, Existing]) -> dict[str, str]:
    """rendered hash -> the formatted text on disk, for files still as their build wrote them."""
    return {rendered: text for rendered, (text, _) in as_written(manifest, tree).items()}


def as_written(manifest: Manifest | None, tree: Mapping[str, Existing]) -> dict[str, tuple[str, str]]:
    """rendered hash -> (the formatted text on disk, its content hash), for files still as
    their build wrote them (each hashed once: the new manifest needs those hashes too)."""
    known: dict[str, tuple[str, str]] = {}
    if manifest is None:
        return known
    for path, (rendered, written) in manifest.files.items():
        existing = tree.get(path)
        if existing is not None and existing.text is not None and content_hash(existing.text) == written:
            known[rendered] = (existing.text, written)
    return known
