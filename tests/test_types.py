"""Types read whole, across pages: identity by namespace and name, pages of one type merged,
bases resolved. Small pages of our own, linked (and, where it matters, generated) in process."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from docgen.config import Config
from docgen.diagnostics import Sink
from docgen.extract import extract_page
from docgen.ir import ApiSpec, Model
from docgen.link import TypeIndex, link
from docgen.pipeline import generate
from docgen.read import Source


def pages(sink: Sink, **texts: str) -> list:
    """Pages from keyword arguments: `resources__x_md="..."` is the page resources/x.md."""
    result = []
    for key, text in texts.items():
        rel = key.replace("__", "/").replace("_md", ".md")
        source = Source(rel=rel, display=f"docs/{rel}", text=textwrap.dedent(text).lstrip("\n"))
        result.append(extract_page(source, sink))
    return result


def linked(**texts: str) -> tuple[ApiSpec, Sink]:
    sink = Sink()
    return link(pages(sink, **texts), sink), sink


def model(spec: ApiSpec, namespace: str, name: str) -> Model:
    found = [m for m in spec.models if m.namespace.lower() == namespace.lower() and m.name.lower() == name.lower()]
    assert len(found) == 1, [(m.namespace, m.name) for m in spec.models]
    return found[0]


GRAPH_STREAM = """
    # mediaStream resource type

    Namespace: microsoft.graph

    ## Properties
    | Property | Type | Description |
    |:--|:--|:--|
    | label | String | The label. |
    | sourceId | String | The source. |
    """

CALL_STREAM = """
    # mediaStream resource type

    Namespace: microsoft.graph.callRecords

    ## Properties
    | Property | Type | Description |
    |:--|:--|:--|
    | averageJitter | Duration | Jitter. |
    | streamId | String | The stream. |
    """

SESSION = """
    # session resource type

    Namespace: microsoft.graph.callRecords

    ## Properties
    | Property | Type | Description |
    |:--|:--|:--|
    | id | String | The id. |
    | streams | [mediaStream](mediastream.md) collection | In this namespace. |
    | other | [microsoft.graph.mediaStream](../mediastream.md) | Qualified. |
    """

CALL = """
    # call resource type

    ## Properties
    | Property | Type | Description |
    |:--|:--|:--|
    | id | String | The id. |
    | stream | [mediaStream](mediastream.md) | The default namespace's. |
    | recorded | [microsoft.graph.callRecords.mediaStream](callrecords/mediastream.md) | Qualified. |
    """


def test_one_name_in_two_namespaces_is_two_models() -> None:
    spec, _ = linked(
        resources__mediastream_md=GRAPH_STREAM,
        resources__callrecords__mediastream_md=CALL_STREAM,
        resources__callrecords__session_md=SESSION,
        resources__call_md=CALL,
    )
    graph = model(spec, "microsoft.graph", "mediaStream")
    calls = model(spec, "microsoft.graph.callRecords", "mediaStream")
    assert [f.name for f in graph.fields] == ["label", "sourceId"]
    assert [f.name for f in calls.fields] == ["averageJitter", "streamId"]
    index = TypeIndex.of(spec)
    session = model(spec, "microsoft.graph.callRecords", "session")
    types = {f.name: index.model(f.type) for f in session.fields}
    assert types["streams"] is calls  # unqualified: the page's own namespace
    assert types["other"] is graph  # qualified
    call = model(spec, "microsoft.graph", "call")
    types = {f.name: index.model(f.type) for f in call.fields}
    assert types["stream"] is graph and types["recorded"] is calls
    assert index.by_odata_type("#microsoft.graph.callRecords.mediaStream") is calls
    assert index.by_odata_type("#microsoft.graph.mediaStream") is graph


def test_a_link_decides_between_namespaces() -> None:
    # No namespace written and a page of another namespace: the linked page's type wins.
    text = CALL.replace(
        "| [mediaStream](mediastream.md) | The default", "| [mediaStream](callrecords/mediastream.md) | The"
    )
    spec, _ = linked(
        resources__mediastream_md=GRAPH_STREAM,
        resources__callrecords__mediastream_md=CALL_STREAM,
        resources__call_md=text,
    )
    index = TypeIndex.of(spec)
    call = model(spec, "microsoft.graph", "call")
    assert index.model(call.fields[1].type) is model(spec, "microsoft.graph.callRecords", "mediaStream")


def write(folder: Path, **texts: str) -> Path:
    for key, text in texts.items():
        path = folder / key.replace("__", "/").replace("_md", ".md")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return folder


def test_two_namespaces_give_two_classes_and_modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCGEN_CACHE_DIR", "")
    docs = write(
        tmp_path / "docs",
        resources__mediastream_md=GRAPH_STREAM,
        resources__callrecords__mediastream_md=CALL_STREAM,
        resources__callrecords__session_md=SESSION,
    )
    files = generate(Config(input=docs, output=tmp_path / "out"), Sink()).files
    graph = files["graph_client/models/media_stream.py"]
    calls = files["graph_client/models/call_records_media_stream.py"]
    assert "class MediaStream(" in graph and "label" in graph and "average_jitter" not in graph
    assert "class CallRecordsMediaStream(" in calls and "average_jitter" in calls
    assert 'ODATA_TYPE: _t.ClassVar[str] = "microsoft.graph.callRecords.mediaStream"' in calls
    session = files["graph_client/models/session.py"]
    assert "list[CallRecordsMediaStream]" in session and "other: MediaStream" in session.replace(" | None", "")
    registry = files["graph_client/models/__init__.py"]
    assert "call_records_media_stream:CallRecordsMediaStream" in registry


USER = """
    # user resource type

    ## Properties
    | Property | Type | Description |
    |:--|:--|:--|
    | id | String | The id. |
    | displayName | String | The name. |
    | age | Int32 | The age. |

    ## Relationships
    | Relationship | Type | Description |
    |:--|:--|:--|
    | manager | [user](user.md) | The manager. |

    ## JSON representation
    <!-- { "blockType": "resource", "@odata.type": "microsoft.graph.user", "baseType": "microsoft.graph.directoryObject" } -->
    ```json
    {"id": "x"}
    ```
    """

INTUNE_USER = """
    # user resource type

    ## Properties
    | Property | Type | Description |
    |:--|:--|:--|
    | id | String | The id, again. |
    | age | String | Not the same type. |

    ## Relationships
    | Relationship | Type | Description |
    |:--|:--|:--|
    | managedDevices | [managedDevice](intune-devices-manageddevice.md) collection | Devices. |

    ## JSON representation
    <!-- { "blockType": "resource", "@odata.type": "microsoft.graph.user", "baseType": "microsoft.graph.entity" } -->
    ```json
    {"id": "x"}
    ```
    """

OBJECT = """
    # directoryObject resource type

    ## Properties
    | Property | Type | Description |
    |:--|:--|:--|
    | deletedDateTime | DateTimeOffset | When. |
    """


def test_pages_that_define_one_type_are_merged() -> None:
    # The Intune page sorts first by path; user.md still defines the type.
    spec, sink = linked(
        resources__aaa_intune_user_md=INTUNE_USER, resources__user_md=USER, resources__directoryobject_md=OBJECT
    )
    user = model(spec, "microsoft.graph", "user")
    assert [f.name for f in user.fields] == ["id", "displayName", "age", "manager", "managedDevices"]
    assert {f.name: f.type.name for f in user.fields}["age"] == "Int32"
    assert user.base == "microsoft.graph.directoryObject" and user.span.path == "docs/resources/user.md"
    found = {(d.code, d.path, d.line): d.message for d in sink.sorted() if d.code.startswith("DG21")}
    intune = "docs/resources/aaa_intune_user.md"
    assert (
        found[("DG212", intune, 6)] == "property 'id' is also listed at docs/resources/user.md:6; this row is dropped"
    )
    assert found[("DG211", intune, 7)].startswith(
        "property 'age' is 'String' here and 'Int32' at docs/resources/user.md:8"
    )
    assert "'entity' here, 'directoryObject' at docs/resources/user.md:1" in found[("DG213", intune, 1)]
    assert found[("DG210", intune, 1)].startswith("type 'user' is also defined by docs/resources/user.md:1")


def test_one_page_per_type_reports_nothing_and_keeps_its_fields() -> None:
    spec, sink = linked(resources__user_md=USER, resources__directoryobject_md=OBJECT)
    assert [f.name for f in model(spec, "microsoft.graph", "user").fields] == ["id", "displayName", "age", "manager"]
    assert not [d for d in sink.sorted() if d.code.startswith("DG21")]


def test_a_request_body_table_ranks_below_a_resource_page() -> None:
    create = """
        # Create user

        ## HTTP request
        ```http
        POST /users
        ```

        ## Request body
        Supply a JSON representation of a [user](../resources/user.md) object.

        | Property | Type | Description |
        |:--|:--|:--|
        | onlyInTheBody | String | Not a property of the resource page. |
        """
    spec, sink = linked(api__aaa_create_md=create, resources__user_md=USER)
    assert "onlyInTheBody" not in [f.name for f in model(spec, "microsoft.graph", "user").fields]
    assert not [d for d in sink.sorted() if d.code.startswith("DG21")]


def test_a_merged_model_names_every_page_it_is_made_from(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCGEN_CACHE_DIR", "")
    docs = write(tmp_path / "docs", resources__aaa_intune_user_md=INTUNE_USER, resources__user_md=USER)
    text = generate(Config(input=docs, output=tmp_path / "out"), Sink()).files["graph_client/models/user.py"]
    assert text.startswith("# Code generated by docgen from docs/resources/user.md, docs/resources/aaa_intune_user.md.")
    assert "managed_devices:" in text and "display_name:" in text


def resource(name: str, base_line: str = "", rows: str = "| id | String | The id. |") -> str:
    return f"""
    # {name} resource type

    {base_line}

    ## Properties
    | Property | Type | Description |
    |:--|:--|:--|
    {rows}
    """


def test_notes_that_name_a_grandparent_give_the_nearer_base() -> None:
    # child's notes name both entity (the grandparent) and parent; parent derives from entity.
    rows = "| id | String | Inherited from [entity](entity.md). |\n    | kind | String | Inherited from [entity](entity.md). |\n    | label | String | Inherited from [parent](parent.md). |"
    spec, _ = linked(
        resources__entity_md=resource("entity"),
        resources__parent_md=resource("parent", "Inherits from [entity](entity.md)."),
        resources__child_md=resource("child", rows=rows),
    )
    assert model(spec, "microsoft.graph", "child").base == "microsoft.graph.parent"
    assert model(spec, "microsoft.graph", "parent").base == "microsoft.graph.entity"


def test_a_stated_base_no_page_defines_falls_back_to_a_defined_note() -> None:
    rows = "| id | String | Inherited from [entity](entity.md). |"
    spec, _ = linked(
        resources__entity_md=resource("entity"),
        resources__child_md=resource("child", "Inherits from [missing](missing.md).", rows=rows),
    )
    assert model(spec, "microsoft.graph", "child").base == "microsoft.graph.entity"


def test_the_prose_base_wins_over_the_notes() -> None:
    rows = "| id | String | Inherited from [entity](entity.md). |"
    spec, _ = linked(
        resources__entity_md=resource("entity"),
        resources__other_md=resource("other"),
        resources__child_md=resource("child", "Derived from [other](other.md).", rows=rows),
    )
    assert model(spec, "microsoft.graph", "child").base == "microsoft.graph.other"


def test_every_fence_table_and_annotation_is_used_or_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from docgen.pipeline import summary_line

    monkeypatch.setenv("DOCGEN_CACHE_DIR", "")
    page = """
        # Get widget

        ## HTTP request
        ```http
        GET /widgets/{id}
        ```

        ## Methods
        | Method | Return type | Description |
        |:--|:--|:--|
        | [Get](widget-get.md) | widget | Read it. |

        ## Example
        <!-- { "blockType": "request", "name": "get_widget" } -->
        ```http
        GET https://graph.microsoft.com/v1.0/widgets/1
        ```
        <!-- { "blockType": "response" } -->
        ```http
        HTTP/1.1 204 No Content
        ```

        ```csharp
        var widget = await client.Widgets["1"].GetAsync();
        ```

        <!-- { "type": "#page.annotation" } -->
        """
    docs = write(tmp_path / "docs", api__widget_get_md=page)
    sink = Sink()
    result = generate(Config(input=docs, output=tmp_path / "out"), sink)
    assert (
        "read: fences 3 used, 1 reported (DG130); tables 0 used, 1 reported (DG131); "
        "annotations 2 used, 1 reported (DG132)" in summary_line(result, sink)
    )
    found = sorted((d.code, d.line) for d in sink.items if d.code in ("DG130", "DG131", "DG132"))
    assert found == [("DG130", 23), ("DG131", 9), ("DG132", 27)]


def test_a_method_returning_any_json_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCGEN_CACHE_DIR", "")
    page = """
        # Get widget

        ## HTTP request
        ```http
        GET /widgets/{id}
        ```

        ## Example
        ```http
        GET https://graph.microsoft.com/v1.0/widgets/1
        ```
        ```http
        HTTP/1.1 200 OK
        Content-Type: application/json

        {BODY}
        ```
        """
    for body, expected in (('{"id": "1"}', 1), ('{"@odata.type": "#microsoft.graph.widget", "id": "1"}', 0)):
        docs = write(
            tmp_path / f"docs{expected}",
            api__widget_get_md=page.replace("{BODY}", body),
            resources__widget_md=USER.replace("user resource", "widget resource"),
        )
        sink = Sink()
        generate(Config(input=docs, output=tmp_path / "out"), sink)
        found = [d.message for d in sink.items if d.code == "DG303"]
        assert len(found) == expected, found
        assert all("name the returned type" in m for m in found)
