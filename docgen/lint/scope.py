"""Which pages `docgen lint` reports on: the folders and pages named on the command line, and
those changed since a git ref."""

from __future__ import annotations

import subprocess
from pathlib import Path


class ScopeError(Exception):
    """A usage problem (exit 2)."""


# root folder -> the pages to report on (relative to it, posix), None for every page
Roots = dict[Path, "frozenset[str] | None"]


def targets(paths: tuple[Path, ...], default_input: Path) -> Roots:
    if not paths:
        return {default_input: None}
    roots: dict[Path, set[str] | None] = {}
    default = default_input.resolve()
    for path in paths:
        if path.is_dir():
            roots[path] = None
            continue
        if path.suffix.lower() != ".md":
            raise ScopeError(f"{path} is not a Markdown page (*.md) or a folder")
        resolved = path.resolve()
        root = default_input if resolved.is_relative_to(default) else path.parent
        rel = resolved.relative_to(root.resolve()).as_posix()
        if root in roots and roots[root] is None:
            continue
        roots.setdefault(root, set()).add(rel)  # type: ignore[union-attr]
    return {root: None if rels is None else frozenset(rels) for root, rels in roots.items()}


def _git(args: list[str], cwd: Path) -> list[str]:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise ScopeError(f"--changed-since needs git: {exc}") from None
    if done.returncode != 0:
        raise ScopeError(f"git {' '.join(args)} failed: {done.stderr.strip() or done.returncode}")
    return [line for line in done.stdout.split("\n") if line]


def changed_pages(roots: Roots, ref: str) -> Roots:
    """Each root's scope narrowed to the pages `git diff --name-only REF` names, and untracked
    pages (a new page counts as changed); every page is still linked."""
    result: Roots = {}
    for root, scope in roots.items():
        folder = root.resolve()
        top = Path(_git(["rev-parse", "--show-toplevel"], folder)[0])
        names = _git(["diff", "--name-only", ref, "--"], folder)
        names += _git(["ls-files", "--others", "--exclude-standard", "--full-name"], folder)
        changed = set()
        for name in names:
            path = (top / name).resolve()
            if path.suffix.lower() == ".md" and path.is_relative_to(folder):
                changed.add(path.relative_to(folder).as_posix())
        result[root] = frozenset(changed if scope is None else changed & scope)
    return result
