"""The plan stage on its own: frozen plan objects built complete (no view dicts, nothing written
into after construction), statistics from data, and the mapping of example URLs, queries and
headers onto a method's arguments."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import textwrap
from pathlib import Path

import pytest

import docgen.plan
from docgen import validate as validate_module
from docgen.config import Config
from docgen.diagnostics import Sink
from docgen.escape import Code
from docgen.ir import (
    ApiSpec,
    Body,
    BodyKind,
    Example,
    Header,
    HttpPath,
    HttpRequest,
    HttpResponse,
    Operation,
    Page,
    PageKind,
    Span,
)
from docgen.link import TypeIndex
from docgen.pipeline import generate, summary_line
from docgen.plan.example_tests import plan_tests
from docgen.plan.files import FilePlan
from docgen.plan.names import Names
from docgen.plan.operations import MethodName, ResourceGroup, plan_method
from docgen.validate import SkipReason, check_example, shape_of, validate

SPAN = Span(path="docs/x.md", line=3)
JSON_BODY = Body(kind=BodyKind.JSON, text="{}", json={})


def _plan_modules() -> list:
    names = [f"docgen.plan.{m.name}" for m in pkgutil.iter_modules(docgen.plan.__path__)]
    return [docgen.plan, validate_module] + [importlib.import_module(n) for n in names]


def test_every_plan_and_validate_record_is_frozen() -> None:
    """Frozen types show that nothing is written into a plan after construction."""
    records = {
        obj
        for module in _plan_modules()
        for _, obj in inspect.getmembers(module, inspect.isclass)
        if dataclasses.is_dataclass(obj) and obj.__module__ == module.__name__
    }
    assert len(records) >= 25
    assert sorted(r.__name__ for r in records if not r.__dataclass_params__.frozen) == []


def test_a_plan_holds_no_dict_but_documented_json(corpus_or_docset: Path) -> None:
    """No view dicts: walking every plan object of a real build finds dicts only where the docs'
    own JSON is carried (an example's bodies), printed through `pretty`."""
    sink = Sink()
    config = Config(input=corpus_or_docset, output=Path("unused"), package="graph_client")
    from docgen.pipeline import _plan, read_pages
    from docgen.speed.parallel import Workers

    class NoCache:
        def get_object(self, *args: object) -> None:
            return None

        def put(self, *args: object) -> None:
            pass

    with Workers() as workers:
        pages = read_pages(config, sink, NoCache(), workers)  # type: ignore[arg-type]
    from docgen.pipeline import Generation

    planned = _plan(config, pages, sink, Generation())
    found: list[str] = []

    def walk(value: object, where: str) -> None:
        if isinstance(value, dict):
            found.append(where)
        elif isinstance(value, (tuple, list)):
            for index, item in enumerate(value):
                walk(item, f"{where}[{index}]")
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for f in dataclasses.fields(value):
                if f.name not in ("request_body", "response_body"):
                    walk(getattr(value, f.name), f"{type(value).__name__}.{f.name}")

    for item in planned:
        assert isinstance(item.plan, FilePlan)
        walk(item.plan, item.path)
    assert found == []


@pytest.fixture
def corpus_or_docset() -> Path:
    return Path(__file__).parent / "golden" / "docset" / "docs_input"


def _operation(method: str, paths: list[str], examples: tuple[Example, ...] = (), **fields: object) -> Operation:
    return Operation(
        title="Do a thing",
        description="",
        paths=tuple(HttpPath(method=method, path=p, span=SPAN) for p in paths),
        examples=examples,
        span=SPAN,
        **fields,  # type: ignore[arg-type]
    )


def _example(url: str, *, method: str = "GET", headers: tuple[Header, ...] = (), name: str = "ex") -> Example:
    return Example(
        name=name,
        request=HttpRequest(method=method, url=url, headers=headers, span=SPAN),
        response=HttpResponse(status=200, body=Body(kind=BodyKind.JSON, text="{}", json={"a": 1}), span=SPAN),
        span=SPAN,
    )


def _planned(op: Operation):
    page = Page(path="x.md", kind=PageKind.OPERATION, title="t", operations=(op,), span=SPAN)
    spec = ApiSpec(pages=(page,), models=(), enums=())
    validated = validate(spec)
    names = Names.of(spec, validated.index)
    checked = validated.operations[0]
    group = ResourceGroup(
        accessor=Code("things"),
        module=Code("things"),
        resource=Code("Things"),
        async_resource=Code("AsyncThings"),
        noun="things",
    )
    method = plan_method(op, checked.shape, MethodName(group=group, name=Code("do_thing")), names)
    return method, plan_tests(checked, method, names)


def test_paths_split_into_required_and_optional_parameters() -> None:
    method, _ = _planned(_operation("GET", ["/groups/{id}/members/{id}", "/groups/{id}/owners"]))
    assert [p.name for p in method.required] == ["group_id"]
    assert [p.name for p in method.optional] == ["member_id"]


def test_an_example_url_maps_onto_path_arguments_query_keywords_and_params() -> None:
    op = _operation(
        "GET",
        ["/widgets/{id}"],
        query_options=("top", "select"),
        examples=(_example("https://graph.microsoft.com/v1.0/widgets/w%201?$top=5&$select=a,b&custom=1"),),
    )
    method, planned = _planned(op)
    assert [o.name for o in method.options] == ["top", "select"]
    test = planned.examples[0]
    assert test.call.args == ("'w 1'",) or test.call.args == ('"w 1"',)
    assert [(k.name, k.value) for k in test.call.kwargs] == [
        ("top", "5"),
        ("select", '"a,b"'),
        ("params", '{"custom": "1"}'),
    ]
    assert test.base_url == '"https://graph.microsoft.com/v1.0"'
    assert planned.skipped == () and planned.through_url == ()


def test_a_repeated_query_parameter_and_an_unsendable_header_are_skipped_as_data() -> None:
    op = _operation(
        "GET",
        ["/widgets"],
        headers=(Header(name="Prefer", value="x", span=SPAN),),
        examples=(
            _example("https://graph.microsoft.com/v1.0/widgets?a=1&a=2", name="twice"),
            _example(
                "https://graph.microsoft.com/v1.0/widgets", headers=(Header(name="Prefer", value="é"),), name="hdr"
            ),
            _example(
                "https://graph.microsoft.com/v1.0/widgets", headers=(Header(name="Prefer", value="ok"),), name="good"
            ),
        ),
    )
    method, planned = _planned(op)
    assert [(s.example.name, s.reason) for s in planned.skipped] == [
        ("twice", SkipReason.QUERY),
        ("hdr", SkipReason.HEADER),
    ]
    assert [(k.name, k.value) for k in planned.examples[0].call.kwargs] == [("prefer", '"ok"')]
    assert planned.examples[0].headers == ('"Prefer": "ok"',)


def test_a_url_no_documented_path_matches_is_sent_through_url() -> None:
    op = _operation("GET", ["/widgets/{id}"], examples=(_example("https://graph.microsoft.com/v1.0/gadgets/g1"),))
    _, planned = _planned(op)
    assert [e.name for e in planned.through_url] == ["ex"]
    assert planned.examples[0].call.kwargs[-1].name == "url"


def test_the_error_test_makes_up_arguments_when_no_example_is_a_test() -> None:
    method, planned = _planned(_operation("POST", ["/groups/{id}/widgets"], request_body=None))
    assert planned.error.call.args == ('"group_id-value"',)


def test_checks_answer_in_table_order() -> None:
    op = _operation("GET", ["/widgets/{id}"])
    shape = shape_of(op, TypeIndex.of(ApiSpec(pages=(), models=(), enums=())))
    index = TypeIndex.of(ApiSpec(pages=(), models=(), enums=()))
    both = Example(
        name="both",
        request=HttpRequest(method="POST", url="/widgets/{id}", span=SPAN),
        response=HttpResponse(status=404, span=SPAN),
        span=SPAN,
    )
    skipped = check_example(both, shape, index)
    assert skipped is not None and skipped.reason is SkipReason.METHOD and skipped.code == "DG405"


def test_the_summary_counts_reasons_from_data_not_message_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An example named `create: widget` once made the summary print `1 widget' not tested: ...`."""
    monkeypatch.setenv("DOCGEN_CACHE_DIR", "")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "widget-create.md").write_text(
        textwrap.dedent("""\
            ---
            title: Create widget
            doc_type: apiPageType
            ---
            # Create widget

            ## HTTP request

            ```http
            POST /widgets
            ```

            ## Examples

            <!-- { "blockType": "request", "name": "create: widget" } -->
            ```http
            POST https://graph.microsoft.com/v1.0/widgets
            Content-Type: application/json

            {"displayName": }
            ```

            <!-- { "blockType": "response", "name": "create: widget" } -->
            ```http
            HTTP/1.1 201 Created
            ```

            <!-- { "blockType": "request", "name": "create: gadget" } -->
            ```http
            POST https://graph.microsoft.com/v1.0/widgets
            ```

            ```http
            HTTP/1.1 409 Conflict
            ```
            """),
        encoding="utf-8",
    )
    sink = Sink()
    result = generate(Config(input=docs, output=tmp_path / "out", package="graph_client"), sink)
    assert result.skipped == {SkipReason.INVALID_JSON: 1, SkipReason.STATUS: 1}
    line = summary_line(result, sink)
    assert line.endswith(
        "examples not tested: 1 a body is not valid JSON; 1 its response status is not a success"
    ), line
    messages = [d.message for d in sink.items if d.code == "DG405"]
    assert "example 'create: widget' not tested: its request body is not valid JSON" in messages


def test_resource_groups_name_their_classes_after_the_accessor_unless_a_model_has_that_name() -> None:
    """`graph.users` is a `Users` / `AsyncUsers`; where a model class is named `Settings`, the
    `settings` group's classes are `SettingsResource` / `AsyncSettingsResource`; a module name
    longer than 60 characters is cut with a hash, the accessor is not."""
    from types import SimpleNamespace

    from docgen.escape import Code
    from docgen.plan.operations import resource_groups

    long = "device_management_configuration_simple_setting_collection_definitions"
    names = SimpleNamespace(classes={"k1": Code("Settings"), "k2": Code("User")})
    groups = resource_groups([Code(long), Code("settings"), Code("users")], names)  # type: ignore[arg-type]
    assert [(g.resource, g.async_resource) for g in groups.values()] == [
        (
            "DeviceManagementConfigurationSimpleSettingCollectionDefinitions",
            "AsyncDeviceManagementConfigurationSimpleSettingCollectionDefinitions",
        ),
        ("SettingsResource", "AsyncSettingsResource"),
        ("Users", "AsyncUsers"),
    ]
    assert groups[Code(long)].accessor == long and len(groups[Code(long)].module) == 60
    assert groups[Code("users")].module == "users"
