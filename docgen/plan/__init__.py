"""Stage 5a: ApiSpecs (one per API version) -> the files to generate, each a template plus
the names and literals it prints. All Python names are chosen here, through `naming`;
templates only lay them out."""

from __future__ import annotations

from pathlib import Path

from docgen import naming
from docgen.diagnostics import Sink
from docgen.ir import ApiSpec
from docgen.plan.examples import example_views
from docgen.plan.layout import Layout, PlannedFile
from docgen.plan.models import collect_names, enum_file, model_file, models_init
from docgen.plan.operations import method_names, plan_operation
from docgen.render import Code, py
from docgen.runtime import SHIPPED, runtime_exports

__all__ = ["PlannedFile", "plan", "static_files"]


def static_files(package: str, input_name: str, templates: Path | None = None) -> list[PlannedFile]:
    """The files no page shapes (so they can be rendered before the pages are linked). The
    runtime modules are copied from docgen.runtime, unless the `templates` overlay folder
    holds the template that replaces one."""
    package = naming.package_name(package)  # config checks it; no text may lead a path astray
    everything = (input_name,)
    files = [PlannedFile("conftest.py", "conftest.py.j2", {"package": Code(package)}, everything)]
    for module, template in SHIPPED.items():
        replaced = templates is not None and (templates / template).is_file()
        files.append(PlannedFile(f"{package}/{module}", template, {}, everything, None if replaced else module))
    files.append(PlannedFile("tests/docgen_test_support.py", "test_support.py.j2", {}, everything))
    return files


def plan(specs: dict[str, ApiSpec], package: str, input_name: str, base_url: str, sink: Sink) -> list[PlannedFile]:
    """Every file but the static_files()."""
    package = naming.package_name(package)
    everything = (input_name,)
    files: list[PlannedFile] = []
    if not specs:
        specs = {"": ApiSpec(pages=(), models=(), enums=())}
    versions = []
    for version, spec in sorted(specs.items()):
        layout = Layout(package, version)
        files += _version_files(spec, layout, layout.base_url(base_url), everything, sink)
        if version:
            versions.append({"module": Code(layout.module), "version": version})
    files.append(
        PlannedFile(
            f"{package}/__init__.py",
            "package_init.py.j2",
            {
                "package": Code(package),
                "versions": versions,
                "has_root": "" in specs,
                "subpackages": py(tuple([v["module"] for v in versions] + (["models"] if "" in specs else []))),
                "runtime_exports": list(runtime_exports()),  # in _EXPORTS in this order, imported sorted
                "runtime_imports": sorted(runtime_exports()),
            },
            everything,
        )
    )
    return files


def _version_files(
    spec: ApiSpec, layout: Layout, base_url: str, everything: tuple[str, ...], sink: Sink
) -> list[PlannedFile]:
    names = collect_names(spec)
    files = [model_file(m, names, layout) for m in spec.models]
    files += [enum_file(e, names, layout) for e in spec.enums]
    files.append(models_init(spec, names, layout, everything))
    pages = [p for p in spec.pages if p.operation is not None]
    plans = [plan_operation(p, name, names) for p, name in zip(pages, method_names(pages, sink))]
    for item in plans:
        item.view["examples"] = example_views(item, names, sink)
    groups: dict[str, list] = {}
    for item in plans:
        groups.setdefault(item.view["group"], []).append(item.view)
    group_views = []
    mixins = naming.unique([naming.capwords(group) + "Operations" for group in sorted(groups)])
    for (group, views), mixin in zip(sorted(groups.items()), mixins):
        group_view = {"module": Code(group), "mixin": Code(f"_{mixin}"), "async_mixin": Code(f"_Async{mixin}")}
        group_views.append(group_view)
        files.append(
            PlannedFile(
                f"{layout.folder}/operations/{group}.py",
                "operations.py.j2",
                {"root": layout.root_from_models, "operations": views, **group_view},
                tuple(sorted({v["source_page"] for v in views})),
            )
        )
    files.append(PlannedFile(f"{layout.folder}/operations/__init__.py", "operations_init.py.j2", {}, everything))
    files.append(
        PlannedFile(
            f"{layout.folder}/client.py",
            "client.py.j2",
            {"root": layout.root_from_client, "groups": group_views, "base_url": py(base_url)},
            everything,
        )
    )
    if layout.version:
        files.append(
            PlannedFile(f"{layout.folder}/__init__.py", "version_init.py.j2", {"version": layout.version}, everything)
        )
    tested = [item for item in plans if item.view["examples"] or item.view["error_call"]]
    # pages whose file names give the same module (a-b.md, a_b.md) each keep their tests
    stems = naming.unique(
        [naming.module_name(item.page.path.rsplit("/", 1)[-1].removesuffix(".md")) for item in tested]
    )
    for item, stem in zip(tested, stems):
        files.append(
            PlannedFile(
                f"tests/test_{layout.test_prefix}{stem}.py",
                "test_page.py.j2",
                {
                    "package": Code(layout.dotted),
                    "root_package": Code(layout.package),
                    "operations": [item.view],
                    "source": item.view["source_page"],
                },
                (item.view["source_page"],),
            )
        )
    return files
