"""Stage 6: validated specs (one per API version) -> the files to generate, each a frozen plan
object that names its template. All Python names are chosen here, through `naming`; templates
only lay them out."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from docgen import naming
from docgen.config import GRAPH_SCOPE, Config
from docgen.diagnostics import Diagnostic, Sink
from docgen.escape import Code, py
from docgen.ir import ApiSpec
from docgen.link import key_of
from docgen.plan.example_tests import ExampleTest, OpenTypesPlan, PageTestsPlan, plan_tests
from docgen.plan.files import (
    ClientPlan,
    ConftestPlan,
    DistributionPlan,
    ExampleSupportPlan,
    OperationsInitPlan,
    PackageInitPlan,
    PlannedFile,
    PyTypedPlan,
    ShippedModulePlan,
    VersionInitPlan,
    VersionRef,
)
from docgen.plan.mock import DATA_FILE, MockExample, mock_data, mock_examples
from docgen.plan.models import enum_file, model_file, models_init
from docgen.plan.names import Names
from docgen.plan.operations import (
    MethodName,
    MethodPlan,
    OperationsModulePlan,
    ResourceGroup,
    is_delta,
    merged_method,
    operation_names,
    page_view,
    plan_method,
)
from docgen.plan.placement import Placement
from docgen.plan.snippets import with_usage
from docgen.runtime import SHIPPED, runtime_exports, task_exports
from docgen.validate import CheckedOperation, Skipped, ValidatedSpec, validate

__all__ = ["Distribution", "Facts", "Plan", "PlannedFile", "plan", "static_files"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Distribution:
    """What the generated pyproject.toml and clients take from [tool.docgen]."""

    name: str = "graph-client"
    version: str = "0.1.0"
    scopes: tuple[str, ...] = (GRAPH_SCOPE,)

    @classmethod
    def of(cls, config: Config) -> Distribution:
        return cls(name=config.distribution_name, version=config.version, scopes=config.scopes)


@dataclass(frozen=True, slots=True)
class Facts:
    """What one version's plan decides over all of its types and operations at once (names made
    unique among all of them, lists of all of them). A plan of part of the pages (the
    incremental build, `docgen.speed.delta`) is given them as the whole input's plan made them."""

    classes: dict[str, Code]  # type key -> class name (`Names`)
    modules: dict[str, Code]  # type key -> module name
    methods: dict[tuple[str, int], MethodName]  # (page shown, operation number) -> its group and name
    stems: dict[tuple[str, int], str]  # (page shown, operation number) -> test module stem
    open_classes: tuple[Code, ...]
    reports: tuple[Diagnostic, ...]  # what naming the methods reported


@dataclass(frozen=True, slots=True)
class Plan:
    """Every file but the static ones, and what became of each documented example."""

    files: tuple[PlannedFile, ...]
    tests: tuple[ExampleTest, ...]
    skipped: tuple[Skipped, ...]
    mock: tuple[MockExample, ...] = ()  # every documented request with a response (the offline mock)
    facts: tuple[tuple[str, Facts], ...] = ()  # per version, what this plan decided over all of it


def static_files(package: str, input_name: str, templates: Path | None = None) -> list[PlannedFile]:
    """The files no page shapes (so they can be rendered before the pages are linked). The
    runtime modules are copied from docgen.runtime, unless the `templates` overlay folder
    holds the template that replaces one."""
    package = naming.package_name(package)  # config checks it; no text may lead a path astray
    every_page = (input_name,)
    files = [PlannedFile("conftest.py", ConftestPlan(package=Code(package)), every_page)]
    for module, overlay in SHIPPED.items():
        copied = templates is None or not (templates / overlay).is_file()
        files.append(
            PlannedFile(
                f"{package}/{module}", ShippedModulePlan(module=module, overlay=overlay, copied=copied), every_page
            )
        )
    files.append(PlannedFile("tests/docgen_test_support.py", ExampleSupportPlan(), every_page))
    return files


def plan(
    specs: dict[str, ValidatedSpec],
    package: str,
    input_name: str,
    base_url: str,
    sink: Sink,
    distribution: Distribution = Distribution(),
    given: dict[str, Facts] | None = None,
) -> Plan:
    """Every file but the static_files(). Reports each example that is not a test (DG404,
    DG405) and each tested through url= (DG406). `given`: per version, the facts the whole
    input's plan decided, when these specs hold only part of its pages."""
    package = naming.package_name(package)
    every_page = (input_name,)
    if not specs:
        specs = {"": validate(ApiSpec(pages=(), models=(), enums=()))}
    files: list[PlannedFile] = []
    tests: list[ExampleTest] = []
    skipped: list[Skipped] = []
    mock: list[MockExample] = []
    versions = []
    facts = []
    for version, validated in sorted(specs.items()):
        placement = Placement(package, version)
        version_plan = _version_files(
            validated,
            placement,
            placement.base_url(base_url),
            py(distribution.scopes),
            every_page,
            sink,
            given.get(version) if given is not None else None,
        )
        facts += version_plan.facts
        files += version_plan.files
        tests += version_plan.tests
        skipped += version_plan.skipped
        mock += version_plan.mock
        if version:
            versions.append(VersionRef(module=Code(placement.module), version=version))
    for item in skipped:
        sink.report(item.code, item.example.span, item.message)
    subpackages = [v.module for v in versions] + (["models"] if "" in specs else [])
    init = PackageInitPlan(
        package=Code(package),
        versions=tuple(versions),
        has_root="" in specs,
        subpackages=py(tuple(subpackages)),
        runtime_exports=tuple(Code(name) for name in runtime_exports()),
        task_exports=tuple(Code(name) for name in task_exports()),
    )
    files.append(PlannedFile(f"{package}/__init__.py", init, every_page))
    files.append(PlannedFile(f"{package}/py.typed", PyTypedPlan(), every_page))
    files.append(PlannedFile(f"{package}/{DATA_FILE}", mock_data(mock), every_page))
    project = DistributionPlan(
        project_name=py(distribution.name), version=py(distribution.version), package=Code(package)
    )
    files.append(PlannedFile("pyproject.toml", project, every_page))
    return Plan(files=tuple(files), tests=tuple(tests), skipped=tuple(skipped), mock=tuple(mock), facts=tuple(facts))


def _number(checked: CheckedOperation) -> int:
    return next(i for i, op in enumerate(checked.page.operations, 1) if op is checked.operation)


def _operation_id(checked: CheckedOperation) -> tuple[str, int]:
    return checked.operation.span.path, _number(checked)


def _test_stem(checked: CheckedOperation) -> str:
    stem = naming.module_name(checked.page.path.rsplit("/", 1)[-1].removesuffix(".md"))
    number = _number(checked)
    return stem if number == 1 else f"{stem}_{number}"


def _version_files(
    validated: ValidatedSpec,
    placement: Placement,
    base_url: str,
    scopes: Code,
    every_page: tuple[str, ...],
    sink: Sink,
    given: Facts | None = None,
) -> Plan:
    spec = validated.spec
    names = Names.of(spec, validated.index) if given is None else Names(validated.index, given.classes, given.modules)
    files = [model_file(m, names, placement) for m in spec.models]
    files += [enum_file(e, names, placement) for e in spec.enums]
    files.append(models_init(spec, names, placement, every_page))
    checked = validated.operations
    merged = validated.merged
    if given is None:
        naming_sink = Sink()
        method_names = operation_names(validated, naming_sink, names)
        reports = tuple(naming_sink.items)
    else:
        method_names = [given.methods[_operation_id(c)] for c in checked]
        reports = given.reports
    sink.extend(reports)
    own_plans = [
        plan_method(c.operation, c.shape, name, names)
        # named as a page of that one operation (each operation of a page is its own method)
        for c, name in zip(checked, method_names)
    ]
    # a merged call is one method (its leader's, typed by the common bases); each page's tests
    # call it and check their own derived class
    call_of = {i: call for call in merged for i in call.members}
    one_method = {call.members[0]: merged_method(own_plans[call.members[0]], call, checked, names) for call in merged}
    test_views = [
        page_view(one_method[call_of[i].members[0]], own) if i in call_of else own for i, own in enumerate(own_plans)
    ]
    planned = [plan_tests(c, m, names) for c, m in zip(checked, test_views)]
    # each docstring shows its first example's call, which that example's test runs (a merged
    # call: the first page's with such an example)
    models = f"{placement.dotted}.models"
    test_views = [
        with_usage(m, p.examples, models) if i not in call_of else m
        for i, (m, p) in enumerate(zip(test_views, planned))
    ]
    for call in merged:
        leader = call.members[0]
        for i in call.members:
            shown = with_usage(one_method[leader], planned[i].examples, models)
            if shown.usage is not None:
                one_method[leader] = shown
                test_views[i] = replace(
                    test_views[i],
                    usage=shown.usage,
                    usage_async=shown.usage_async,
                    usage_key=shown.usage_key,
                    usage_test=shown.usage_test,
                )
                break
        sink.report(
            "DG140",
            checked[leader].operation.span,
            f"{len(call.members)} pages document the call {checked[leader].operation.paths[0].method} "
            f"{checked[leader].operation.paths[0].path} for types with a common base: one method "
            f"{str(method_names[leader].call)!r} for "
            + ", ".join(checked[i].operation.span.path for i in call.members),
        )
    method_plans = [one_method.get(i, m) for i, m in enumerate(test_views)]
    groups: dict[str, list[MethodPlan]] = {}
    sources: dict[str, set[str]] = {}
    group_of: dict[str, ResourceGroup] = {}
    for i, (item, method, where) in enumerate(zip(checked, method_plans, method_names)):
        call = call_of.get(i)
        accessor = where.group.accessor
        group_of[accessor] = where.group
        sources.setdefault(accessor, set()).add(item.operation.span.path)
        if call is None or call.members[0] == i:
            groups.setdefault(accessor, []).append(method)
    for accessor, methods in sorted(groups.items()):
        module = OperationsModulePlan(root=placement.root_from_models, group=group_of[accessor], methods=tuple(methods))
        path = f"{placement.folder}/operations/{group_of[accessor].module}.py"
        files.append(PlannedFile(path, module, tuple(sorted(sources[accessor]))))
    files.append(PlannedFile(f"{placement.folder}/operations/__init__.py", OperationsInitPlan(), every_page))
    client = ClientPlan(
        root=placement.root_from_client,
        groups=tuple(group_of[accessor] for accessor in sorted(groups)),
        base_url=py(base_url),
        scopes=scopes,
    )
    files.append(PlannedFile(f"{placement.folder}/client.py", client, every_page))
    if placement.version:
        version_init = VersionInitPlan(version=placement.version)
        files.append(PlannedFile(f"{placement.folder}/__init__.py", version_init, every_page))
    for item, method in zip(checked, method_plans):
        if item.shape.any_reason:
            sink.report("DG303", item.operation.span, f"the method returns any JSON value: {item.shape.any_reason}")
        for code, message in item.shape.notes:
            sink.report(code, item.operation.span, message)
        if is_delta(item.operation) and not method.delta:
            sink.report(
                "DG322",
                item.operation.span,
                "a delta query whose response is no collection of a documented model: the method returns as "
                "documented, not a DeltaPager",
            )
    for planned_tests in planned:
        for example in planned_tests.through_url:
            sink.report(
                "DG406",
                example.span,
                f"example {example.name!r} calls a URL that matches no documented path; tested through url=",
            )
    # a page with no example still gets its error-path test; pages whose file names give the
    # same module (a-b.md, a_b.md) each keep their tests; a page's second and later operations
    # get test modules of their own (`<page>_2`, ...)
    if given is None:
        stems = naming.unique([_test_stem(c) for c in checked])
        # open types, and types the input knows only in part (DG220): their extras are not undeclared keys
        open_classes = tuple(
            py(c)
            for c in sorted(
                names.classes[key_of(m)] for m in spec.models if m.open_type or key_of(m) in names.index.partial
            )
        )
    else:
        stems = [given.stems[_operation_id(c)] for c in checked]
        open_classes = given.open_classes
    open_types = Code(f"docgen_open_types{'_' + placement.module if placement.version else ''}")
    files.append(PlannedFile(f"tests/{open_types}.py", OpenTypesPlan(classes=open_classes), every_page))
    ids = [_operation_id(c) for c in checked]
    facts = Facts(
        classes=names.classes,
        modules=names.modules,
        methods=dict(zip(ids, method_names)),
        stems=dict(zip(ids, stems)),
        open_classes=open_classes,
        reports=reports,
    )
    for item, method, planned_tests, stem in zip(checked, test_views, planned, stems):
        page = item.operation.span.path
        tests_plan = PageTestsPlan(
            package=Code(placement.dotted),
            root_package=Code(placement.package),
            source=page,
            method=method,
            imports=planned_tests.imports,
            open_types=open_types,
            examples=planned_tests.examples,
            error=planned_tests.error,
        )
        files.append(PlannedFile(f"tests/test_{placement.test_prefix}{stem}.py", tests_plan, (page,)))
    return Plan(
        files=tuple(files),
        tests=tuple(t for p in planned for t in p.examples),
        skipped=tuple(s for p in planned for s in p.skipped),
        mock=tuple(mock_examples(checked, [where.call for where in method_names], placement.dotted)),
        facts=((placement.version, facts),),
    )
