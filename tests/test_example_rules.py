"""Small rules behind names and example tests: method names from the REST call, the
placeholder stand-ins, and the URL comparison of the generated test support."""

from __future__ import annotations

import pytest

from docgen import naming
from docgen.diagnostics import Sink
from docgen.ir import HttpPath, Operation, Page, PageKind, Span
from docgen.plan.example_tests import fill_placeholders
from docgen.plan.operations import method_names


@pytest.mark.parametrize(
    ("method", "path", "name"),
    [
        ("GET", "/users", "list_users"),
        ("GET", "/users/{id}", "get_user"),
        ("GET", "/users/{user-id | userPrincipalName}", "get_user"),
        ("POST", "/users", "create_user"),
        ("PATCH", "/users/{id}", "update_user"),
        ("PUT", "/users/{id}", "replace_user"),
        ("DELETE", "/users/{id}", "delete_user"),
        ("GET", "/me/sideLoadingKeys", "list_side_loading_keys"),
        ("GET", "/me/sideLoadingKeys/{id}", "get_side_loading_key"),
        ("GET", "/identity/policies", "list_policies"),
        ("GET", "/identity/policies/{id}", "get_policy"),
        ("GET", "/me/statuses/{id}", "get_status"),
        ("GET", "/me/drive/items/{item-id}/children", "list_children"),
        ("POST", "/users/{id}/assignLicense", "assign_license"),
        ("POST", "/me/messages/{id}/reply", "reply_message"),
        ("POST", "/me/sendMail", "send_mail"),
        ("POST", "/groups/{id}/members/$ref", "add_group_member"),
        ("DELETE", "/groups/{id}/members/{id}/$ref", "remove_group_member"),
        ("GET", "/me/photo/$value", "get_photo_content"),
        ("PUT", "/me/photo/$value", "set_photo_content"),
        ("GET", "/users/$count", "count_users"),
        ("GET", "/users/delta()", "delta_users"),
        ("GET", "/reports/getM365AppUserCounts(period='{period}')", "get_m365_app_user_counts"),
        ("GET", "/users('{id}')/manager", "get_manager"),
        ("GET", "/groups/{id}/microsoft.graph.group/members", "list_members"),
        ("GET", "/users/2a7e1c3d-0000-4000-8000-000000000001", "get_user"),  # an example id
        ("GET", "/me", "get_me"),
        ("GET", "/teams/{id}/schedule/timesOff", "list_times_off"),  # the plural is the noun before `off`
        ("GET", "/teams/{id}/schedule/timesOff/{id}", "get_time_off"),
    ],
)
def test_method_names_come_from_the_rest_call(method: str, path: str, name: str) -> None:
    assert naming.rest_method_name(method, path, "Get a thing") == name


def test_articles_and_doc_site_noise_are_dropped_from_titles() -> None:
    assert naming.title_method_name("Get a user") == "get_user"
    assert naming.title_method_name("List the members of an group (deprecated)") == "list_members_of_group"


@pytest.mark.parametrize(
    ("plural", "single"),
    [
        ("side_loading_keys", "side_loading_key"),
        ("policies", "policy"),
        ("statuses", "status"),
        ("children", "child"),
        ("times_off", "time_off"),
    ],
)
def test_singular(plural: str, single: str) -> None:
    assert naming.singular(plural) == single
    assert naming.singular(single) == single


def _page(path: str, method: str, url: str, title: str) -> Page:
    op = Operation(title=title, description="", paths=(HttpPath(method=method, path=url),))
    return Page(path=path, kind=PageKind.OPERATION, title=title, operations=(op,), span=Span(path=path, line=1))


def test_collisions_are_resolved_by_the_path_and_touch_only_the_colliding_pages() -> None:
    pages = [
        _page("a.md", "GET", "/users/{id}/messages", "List messages"),
        _page("b.md", "GET", "/me/mailFolders/{id}/messages", "List messages"),
        _page("c.md", "GET", "/groups", "List groups"),
    ]
    sink = Sink()
    assert method_names(pages, sink) == ["list_user_messages", "list_mail_folder_messages", "list_groups"]
    assert not sink.items
    # a page of its own name: adding it renames nobody else
    alone = method_names(pages + [_page("d.md", "GET", "/sites", "List sites")], Sink())
    assert alone[:3] == ["list_user_messages", "list_mail_folder_messages", "list_groups"]


def test_the_same_rest_call_on_two_pages_is_named_after_the_titles() -> None:
    pages = [
        _page("x-get.md", "GET", "/deviceConfigurations/{id}", "Get windowsPolicy"),
        _page("y-get.md", "GET", "/deviceConfigurations/{id}", "Get a macPolicy"),
    ]
    sink = Sink()
    assert method_names(pages, sink) == ["get_windows_policy", "get_mac_policy"]
    assert [d.code for d in sink.items] == ["DG501", "DG501"]


def test_the_same_call_and_title_on_two_pages_is_qualified_by_the_file_words() -> None:
    """Not `user_list` and `intune_onboarding_user_list`: the REST name, and the file's words it
    lacks (a file that adds none keeps the plain name); a file adding more than two words, or
    one that still collides, gives the file's name."""
    pages = [
        _page("api/user-list.md", "GET", "/users", "List users"),
        _page("api/intune-onboarding-user-list.md", "GET", "/users", "List users"),
        _page("api/x-has.md", "POST", "/xs/hasLinks", "hasLinks action"),
        _page("api/intune-shared-iosappprotection-haspayloadlinks.md", "POST", "/xs/hasLinks", "hasLinks action"),
    ]
    names = method_names(pages, Sink())
    assert names == [
        "list_users",
        "list_users_intune_onboarding",
        "has_links_action_x",
        "intune_shared_iosappprotection_haspayloadlinks",
    ]


def test_placeholders_get_deterministic_url_safe_stand_ins() -> None:
    assert fill_placeholders("/users/{user-id}/events/{id}") == "/users/user-id-1/events/id-2"
    assert fill_placeholders("/groups/<group id>/members") == "/groups/group-id-1/members"
    assert fill_placeholders("/users/{id | userPrincipalName}") == "/users/id-1"
    # a GUID in braces is a value (an extended property's id), not a placeholder
    guid = "/x?$filter=id eq 'String {66f5a359-4659-4830-9070-00047ec6ac6e} Name'"
    assert fill_placeholders(guid) == guid


def _support():
    import importlib.util

    from docgen_helpers import ROOT

    spec = importlib.util.spec_from_file_location("support", ROOT / "generated" / "tests" / "docgen_test_support.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_urls_compare_as_graph_reads_them() -> None:
    import httpx

    parts = _support().url_parts
    documented = httpx.URL("https://graph.microsoft.com/v1.0/me/mailfolders/Inbox?$filter=a eq 'b c'&$TOP=2")
    sent = httpx.URL("https://graph.microsoft.com/v1.0/me/mailFolders/inbox/?%24filter=a%20eq%20%27b%20c%27&$top=2")
    assert parts(documented) == parts(sent)
    assert parts(documented) != parts(httpx.URL("https://graph.microsoft.com/v1.0/me/mailFolders/inbox?$filter=x"))
    assert parts(documented) != parts(httpx.URL("https://graph.microsoft.com/v1.0/me/folders/inbox?$filter=a eq 'b c'"))


def test_an_undeclared_key_carried_as_an_extra_fails_the_check() -> None:
    from pydantic import BaseModel, ConfigDict

    class Thing(BaseModel):
        model_config = ConfigDict(extra="allow")
        odata_type: str | None = None
        name: str | None = None
        parts: list[Thing] | None = None

    check = _support().check_no_extras
    check(Thing.model_validate({"name": "a", "@odata.context": "x", "parts": [{"name": "b"}]}))
    with pytest.raises(AssertionError, match=r"result.parts\[0\] holds undeclared keys \['nmae'\]"):
        check(Thing.model_validate({"name": "a", "parts": [{"nmae": "b"}]}))
    check(Thing.model_validate({"name": "a", "parts": [{"nmae": "b"}]}), ("Thing",))  # an open type


COUNT_PAGE = """# Count widgets

## HTTP request

```http
GET /widgets/$count
```

## Request headers

| Name | Description |
|:-----|:------------|
| ConsistencyLevel: | eventual. Required. |

## Examples

### Example 1: a number

<!-- {"blockType": "request", "name": "counted"} -->
```http
GET https://graph.microsoft.com/v1.0/Widgets/$count?$filter=startswith(displayName, 'a b')
ConsistencyLevel: eventual
```

<!-- {"blockType": "response", "name": "counted"} -->
```http
HTTP/1.1 200 OK
Content-type: text/plain

893
```

### Example 2: no number shown

<!-- {"blockType": "request", "name": "shown_empty"} -->
```http
GET https://graph.microsoft.com/v1.0/widgets/$count
ConsistencyLevel: eventual
```

<!-- {"blockType": "response", "name": "shown_empty"} -->
```http
HTTP/1.1 200 OK
```
"""


def test_count_with_plain_text_is_tested_and_an_empty_one_is_reported(tmp_path) -> None:
    from docgen.config import Config
    from docgen.output import diff_tree, read_tree, write_tree
    from docgen.pipeline import generate
    from docgen_helpers import run_pytest

    docs = tmp_path / "docs" / "v1.0"
    docs.mkdir(parents=True)
    (docs / "widget-count.md").write_text(COUNT_PAGE, encoding="utf-8")
    sink = Sink()
    out = tmp_path / "out"
    files = generate(Config(input=tmp_path / "docs", output=out), sink).files
    assert [d.message.split("'")[1] for d in sink.items if d.code == "DG405"] == ["shown_empty"]
    (module,) = [text for path, text in files.items() if path.startswith("tests/test_")]
    assert "def test_counted(" in module and "def test_shown_empty(" not in module
    assert '"ConsistencyLevel": "eventual"' in module  # the header's colon is not part of its name
    write_tree(out, files, diff_tree(files, read_tree(out)))
    result = run_pytest(out, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("single", "many"),
    [
        ("cart_to_class_association", "cart_to_class_associations"),
        ("policy", "policies"),
        ("day", "days"),
        ("status", "statuses"),
        ("box", "boxes"),
        ("match", "matches"),
        ("analysis", "analyses"),
        ("child", "children"),
        ("person", "people"),
        ("time_off", "times_off"),
        ("users", "users"),  # a plural stays
        ("media", "media"),
        ("shared", "shared"),  # an adjective (the `shared` insight)
        ("feed", "feeds"),
        ("thing_2", "things_2"),  # the number that tells two names apart stays last
    ],
)
def test_plural(single: str, many: str) -> None:
    assert naming.plural(single) == many
    assert naming.plural(many) == many


@pytest.mark.parametrize(
    ("name", "noun", "short"),
    [
        ("create_cart_to_class_association", "cart_to_class_associations", "create"),
        ("list_cart_to_class_associations", "cart_to_class_associations", "list"),
        ("get_user", "users", "get"),
        ("count_users", "users", "count"),
        ("delta_users", "users", "delta"),
        ("reply_message", "messages", "reply"),
        ("get_photo_content", "photos", "get_content"),
        ("assign_license", "users", "assign_license"),  # no noun: kept
        ("list_user_messages", "messages", "list_user_messages"),  # the noun is not the verb's object
        ("import_user", "users", "import_"),  # a keyword gets `_`
        ("get_me", "users", "get_me"),
    ],
)
def test_in_group_names_drop_the_groups_noun(name: str, noun: str, short: str) -> None:
    assert naming.in_group_name(name, noun) == short


def test_collisions_inside_a_group_are_resolved_by_the_path() -> None:
    pages = [
        _page("a.md", "GET", "/users/{id}/messages", "List messages"),
        _page("b.md", "GET", "/me/mailFolders/{id}/messages", "List messages"),
        _page("c.md", "GET", "/users/{id}/messages/{id}", "Get message"),
        _page("d.md", "POST", "/me/messages/{id}/reply", "Reply"),
    ]
    sink = Sink()
    assert method_names(pages, sink, "messages") == ["list_user_messages", "list_mail_folder_messages", "get", "reply"]
    assert not sink.items
    # a page of a name of its own renames nobody; one sharing `get` renames only the two of `get`
    more = method_names(pages + [_page("e.md", "GET", "/me/events", "List events")], Sink(), "messages")
    assert more[:4] == ["list_user_messages", "list_mail_folder_messages", "get", "reply"]
    shared = method_names(pages + [_page("f.md", "GET", "/me/messages/{id}", "Get message")], Sink(), "messages")
    assert shared[:2] + shared[3:4] == ["list_user_messages", "list_mail_folder_messages", "reply"]
    assert shared[2] != "get" and shared[4] != "get" and shared[2] != shared[4]


def test_path_resources_are_singular_and_outermost_first() -> None:
    assert naming.path_resources("/me/mailFolders/{id}/messages/{id}/reply") == [
        "me",
        "mail_folder",
        "message",
        "reply",
    ]
    assert naming.path_resources("/users/{id}/microsoft.graph.user/photo/$value") == ["user", "photo"]


def test_accessor_names_never_hide_a_client_attribute() -> None:
    """The fixed list of the clients' own attributes holds every public attribute of the runtime
    client bases: an accessor of that name gets `_`."""
    from docgen.runtime import _runtime, _tasks

    attributes = set()
    for cls in (_runtime.SyncClientBase, _runtime.AsyncClientBase, _tasks.SyncTasks, _tasks.AsyncTasks):
        attributes |= {name for name in dir(cls) if not name.startswith("_")}
    assert attributes <= naming.ACCESSOR_RESERVED
    assert naming.accessor_name("batch") == "batch_"
    assert naming.accessor_name("with_options") == "with_options_"
    assert naming.accessor_name("users") == "users"
    # nor a name the clients' annotations use in their class body
    assert naming.accessor_name("httpx") == "httpx_" and naming.accessor_name("str") == "str_"
