"""Where one API version's files go, and how its modules import the shared runtime."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from docgen import naming
from docgen.render import Code

_VERSIONED_BASE = re.compile(r"^(https?://[^/]+)/(beta|v\d+\.\d+)/?$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PlannedFile:
    path: str  # relative to the output folder, posix
    template: str
    context: dict[str, Any]
    sources: tuple[str, ...]  # the pages it was generated from (shown in its header)
    # A module of docgen.runtime copied after the header (already black-formatted) instead
    # of rendering `template`, which names the template that would replace it.
    shipped: str | None = None


@dataclass(frozen=True, slots=True)
class Layout:
    """Pages without an API version go in the package itself; each version gets a subpackage
    (graph_client.beta, graph_client.v1_0) with its own models, operations and clients."""

    package: str
    version: str  # "" for pages that name no version

    @property
    def module(self) -> str:
        return naming.module_name(self.version) if self.version else ""

    @property
    def folder(self) -> str:
        return f"{self.package}/{self.module}" if self.version else self.package

    @property
    def dotted(self) -> str:
        return self.folder.replace("/", ".")

    @property
    def root_from_models(self) -> Code:
        """Relative import of the package root from a module in models/ or operations/."""
        return Code("..." if self.version else "..")

    @property
    def root_from_client(self) -> Code:
        return Code(".." if self.version else ".")

    @property
    def test_prefix(self) -> str:
        return f"{self.module}_" if self.version else ""

    def base_url(self, configured: str) -> str:
        """The configured base URL, with its version segment replaced by this version's."""
        match = _VERSIONED_BASE.match(configured)
        if self.version and match:
            return f"{match.group(1)}/{self.version}"
        return configured
