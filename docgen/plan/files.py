"""What a generated file is made from: a plan object that names its template, and where it goes.

Every plan object is frozen and built complete in one call; `render` prints its fields and
nothing else (the template sees each field by name). The pipeline never knows template names.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from docgen.escape import Code

if TYPE_CHECKING:
    from docgen.plan.operations import ResourceGroup

FROZEN: dict[str, Any] = dict(frozen=True, slots=True, kw_only=True)


@dataclass(**FROZEN)
class FilePlan:
    """The base of every plan object that becomes a file."""

    template: ClassVar[str]

    @property
    def template_name(self) -> str:
        return self.template

    def context(self) -> dict[str, Any]:
        """The template's variables: this plan's fields (shallow: nested plans stay objects) and
        the properties its class derives from them (`ModelPlan.uses_runtime`)."""
        names = _context_names(type(self))
        return {name: getattr(self, name) for name in names}


@functools.cache
def _context_names(cls: type) -> tuple[str, ...]:
    fields = [f.name for f in dataclasses.fields(cls)]
    derived = [
        name
        for klass in cls.__mro__
        for name, value in vars(klass).items()
        if isinstance(value, property) and name != "template_name"
    ]
    return tuple(dict.fromkeys(fields + derived))


@dataclass(frozen=True, slots=True)
class PlannedFile:
    path: str  # relative to the output folder, posix
    plan: FilePlan
    sources: tuple[str, ...]  # the pages it was generated from (shown in its header)

    @property
    def template(self) -> str:
        return self.plan.template_name

    @property
    def verbatim(self) -> bool:
        """Not formatted by black: a shipped runtime module, or a file that is not Python."""
        return self.shipped is not None or not self.path.endswith(".py")

    @property
    def shipped(self) -> str | None:
        """The docgen.runtime module this file is a copy of, if it is one."""
        plan = self.plan
        return plan.module if isinstance(plan, ShippedModulePlan) and plan.copied else None


@dataclass(**FROZEN)
class ConftestPlan(FilePlan):
    template: ClassVar[str] = "conftest.py.j2"
    package: Code


@dataclass(**FROZEN)
class ShippedModulePlan(FilePlan):
    """A module of docgen.runtime, copied after the header line (it is black-formatted
    already), or rendered from the overlay template that replaces it in a --templates folder."""

    module: str  # the file name in docgen/runtime/
    overlay: str  # the template that replaces it
    copied: bool  # no overlay template: the module is copied

    @property
    def template_name(self) -> str:
        return self.overlay


@dataclass(**FROZEN)
class ExampleSupportPlan(FilePlan):
    template: ClassVar[str] = "test_support.py.j2"


@dataclass(**FROZEN)
class VersionRef:
    module: Code
    version: str  # as documented ("v1.0"); printed only through filters


@dataclass(**FROZEN)
class PackageInitPlan(FilePlan):
    template: ClassVar[str] = "package_init.py.j2"
    package: Code
    versions: tuple[VersionRef, ...]
    has_root: bool  # pages that name no API version are generated into the package itself
    subpackages: Code  # a tuple literal
    runtime_exports: tuple[Code, ...]  # _runtime.__all__, in its order
    task_exports: tuple[Code, ...] = ()  # _tasks.__all__, in its order

    @property
    def subpackage_names(self) -> tuple[Code, ...]:
        """The subpackages it re-exports: each API version's, and `models` for unversioned pages."""
        return tuple(v.module for v in self.versions) + ((Code("models"),) if self.has_root else ())

    @property
    def public_names(self) -> tuple[Code, ...]:
        """What `__all__` lists."""
        clients = (Code("GraphClient"), Code("AsyncGraphClient")) if self.has_root else ()
        return clients + self.runtime_exports + self.task_exports + self.subpackage_names


@dataclass(**FROZEN)
class VersionInitPlan(FilePlan):
    template: ClassVar[str] = "version_init.py.j2"
    version: str


@dataclass(**FROZEN)
class OperationsInitPlan(FilePlan):
    template: ClassVar[str] = "operations_init.py.j2"


@dataclass(**FROZEN)
class ClientPlan(FilePlan):
    """The clients: one accessor per resource group (`graph.users`), made on first use, whose
    operations module is imported then (so `import graph_client` imports no operations)."""

    template: ClassVar[str] = "client.py.j2"
    root: Code
    groups: tuple[ResourceGroup, ...]  # in accessor order
    base_url: Code
    scopes: Code  # a tuple literal: what the clients ask a credential for


@dataclass(**FROZEN)
class DistributionPlan(FilePlan):
    """`pyproject.toml`: the output folder is a distribution `pip install` accepts."""

    template: ClassVar[str] = "pyproject.toml.j2"
    project_name: Code  # a string literal (validated by config: a PEP 508 name)
    version: Code  # a string literal
    package: Code


@dataclass(**FROZEN)
class PyTypedPlan(FilePlan):
    """`<package>/py.typed` (PEP 561): type checkers read the package's own annotations."""

    template: ClassVar[str] = "py.typed.j2"
