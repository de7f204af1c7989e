"""`[tool.docgen]` in pyproject.toml, merged with command-line options (which win)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

_CHECKOUT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def default_templates() -> Path:
    """templates/ of a source checkout, else the copy shipped in the wheel (docgen/templates)."""
    if (_CHECKOUT_TEMPLATES / "model.py.j2").is_file():
        return _CHECKOUT_TEMPLATES
    return Path(__file__).resolve().parent / "templates"


GRAPH_SCOPE = "https://graph.microsoft.com/.default"


class ConfigError(Exception):
    """A usage problem: reported without a traceback, exit status 2."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    input: Path = Path("docs_input")
    output: Path = Path("generated")
    templates: Path | None = None  # a folder that overlays the default templates
    package: str = "graph_client"
    base_url: str = "https://graph.microsoft.com/v1.0"
    strict: bool = False
    distribution: str | None = None  # the generated pyproject.toml's name; None: from package
    version: str = "0.1.0"  # the generated pyproject.toml's version
    scopes: tuple[str, ...] = (GRAPH_SCOPE,)  # what the clients ask a credential for

    @property
    def distribution_name(self) -> str:
        return self.distribution or self.package.replace("_", "-")


# key in [tool.docgen] -> Config attribute, with what it means (the README's table).
KEYS: dict[str, tuple[str, str]] = {
    "input": ("input", "folder of Markdown pages (default docs_input)"),
    "output": ("output", "folder the generated tree is written to (default generated)"),
    "templates": ("templates", "folder whose templates overlay the default ones, file by file"),
    "package": ("package", "name of the generated Python package (default graph_client)"),
    "base-url": ("base_url", "default base URL of the generated clients"),
    "strict": ("strict", "treat warnings as errors (default false)"),
    "distribution": ("distribution", "name of the generated distribution (pyproject.toml)"),
    "version": ("version", "version of the generated distribution (default 0.1.0)"),
    "scopes": ("scopes", "OAuth scopes the clients ask a credential for (list of strings)"),
}
_PACKAGE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DISTRIBUTION = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")  # PEP 508 names
_VERSION = re.compile(r"^[0-9]+(\.[0-9]+)*((a|b|rc)[0-9]+)?(\.post[0-9]+)?(\.dev[0-9]+)?$")


def find_pyproject(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_config(cwd: Path, overrides: dict[str, Any]) -> Config:
    """Config from the nearest pyproject.toml (paths relative to it) with overrides applied
    (paths relative to cwd)."""
    values: dict[str, Any] = {}
    pyproject = find_pyproject(cwd)
    if pyproject is not None:
        try:
            table = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("docgen", {})
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
            raise ConfigError(f"{pyproject}: cannot read [tool.docgen]: {exc}") from None
        if not isinstance(table, dict):
            raise ConfigError(f"{pyproject}: [tool.docgen] must be a table")
        unknown = sorted(set(table) - set(KEYS))
        if unknown:
            raise ConfigError(
                f"{pyproject}: unknown key {', '.join(map(repr, unknown))} in [tool.docgen]; "
                f"valid keys: {', '.join(sorted(KEYS))}"
            )
        for key, value in table.items():
            attribute = KEYS[key][0]
            values[attribute] = _typed(pyproject, key, attribute, value, pyproject.parent)
    for attribute, value in overrides.items():
        if value is not None:
            values[attribute] = _typed(None, attribute, attribute, value, cwd)
    root = pyproject.parent if pyproject is not None else cwd
    config = Config(**values)
    # Defaults, like values from [tool.docgen], are relative to the project's root.
    config = replace(config, input=root / config.input, output=root / config.output)
    if not _PACKAGE.match(config.package):
        raise ConfigError(f"package {config.package!r} is not a valid Python package name")
    if not config.base_url.startswith(("http://", "https://")):
        raise ConfigError(f"base-url {config.base_url!r} must start with http:// or https://")
    if config.distribution is not None and not _DISTRIBUTION.match(config.distribution):
        raise ConfigError(f"distribution {config.distribution!r} is not a valid distribution name")
    if not _VERSION.match(config.version):
        raise ConfigError(f"version {config.version!r} is not a version such as 1.2.0")
    if config.templates is not None and not config.templates.is_dir():
        raise ConfigError(f"templates folder {str(config.templates)!r} does not exist")
    return config


def _typed(where: Path | None, key: str, attribute: str, value: Any, base: Path) -> Any:
    kinds = {f.name: f.type for f in fields(Config)}
    prefix = f"{where}: " if where else ""
    if attribute == "strict":
        if not isinstance(value, bool):
            raise ConfigError(f"{prefix}{key} must be true or false")
        return value
    if attribute == "scopes":
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
            raise ConfigError(f"{prefix}{key} must be a non-empty list of strings")
        return tuple(value)
    if not isinstance(value, (str, Path)):
        raise ConfigError(f"{prefix}{key} must be a string")
    if "Path" in str(kinds[attribute]):
        path = Path(value)
        return path if path.is_absolute() else base / path
    return str(value)
