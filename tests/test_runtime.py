"""Tests for docgen/runtime/_runtime.py, the module the build copies as `<package>/_runtime.py`
(imported here directly, as `docgen.runtime._runtime`)."""

import asyncio
import copy
import importlib
import json
import sys
import types
import warnings
from datetime import date, datetime, time, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

BASE = "https://graph.example/v1.0"

MODELS_SOURCE = """
from pydantic import Field

from docgen.runtime._runtime import (
    Date, DateTimeOffset, Double, Duration, GraphModel, TimeOfDay,
)


class Cart(GraphModel):
    display_name: str | None = Field(default=None, alias="displayName")
    created_date_time: DateTimeOffset | None = Field(default=None, alias="createdDateTime")
    due_date: Date | None = Field(default=None, alias="dueDate")
    opens_at: TimeOfDay | None = Field(default=None, alias="opensAt")
    hold: Duration | None = None
    price: Double | None = None
    size: int | None = None
    model_name: str | None = Field(default=None, alias="modelName")
    tags: list[str] | None = None


class SpecialCart(Cart):
    discount: Double | None = None


class Other(GraphModel):
    kind: str | None = None


class Holder(GraphModel):
    id: str | None = None
    cart: Cart | None = None
    carts: list[Cart] | None = None


class NotAModel:
    pass
"""

LAZY_SOURCE = """
from docgen.runtime._runtime import GraphModel


class LazyThing(GraphModel):
    weight: int | None = None
"""

TZ3 = timezone(timedelta(hours=3))


@pytest.fixture(scope="module")
def rt(tmp_path_factory):
    from docgen.runtime import _runtime as module

    root = tmp_path_factory.mktemp("runtime")
    package = root / "rtpkg"  # models as a generated package would hold them
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "models.py").write_text(MODELS_SOURCE, encoding="utf-8")
    (package / "lazy.py").write_text(LAZY_SOURCE, encoding="utf-8")
    sys.path.insert(0, str(root))
    try:
        module.register_models(
            {
                "microsoft.graph.specialCart": "rtpkg.models:SpecialCart",
                "#microsoft.graph.other": "rtpkg.models:Other",
                "microsoft.graph.lazyThing": "rtpkg.lazy:LazyThing",
                "microsoft.graph.notAModel": "rtpkg.models:NotAModel",
            }
        )
        yield module
    finally:
        module._REGISTRY.clear()
        module._RESOLVED.clear()
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n == "rtpkg" or n.startswith("rtpkg.")]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def m(rt):
    return importlib.import_module("rtpkg.models")


# ---------------------------------------------------------------- wire types


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "2016-12-31T23:56:51.5562076+03:00",
            datetime(2016, 12, 31, 23, 56, 51, 556207, tzinfo=TZ3),
        ),
        (
            "2017-01-01T00:02:37.446308+03:00",
            datetime(2017, 1, 1, 0, 2, 37, 446308, tzinfo=TZ3),
        ),
        ("2014-01-01T00:00:00Z", datetime(2014, 1, 1, tzinfo=timezone.utc)),
        ("2014-01-01T00:00:00", datetime(2014, 1, 1)),
        (
            "2020-05-06T07:08:09.1-08:30",
            datetime(2020, 5, 6, 7, 8, 9, 100000, tzinfo=timezone(-timedelta(hours=8.5))),
        ),
    ],
)
def test_datetime_round_trips_exactly(m, rt, text, expected):
    cart = m.Cart.from_dict({"createdDateTime": text})
    value = cart.created_date_time
    assert isinstance(value, rt.WireDateTime)
    assert value == expected
    assert value.utcoffset() == expected.utcoffset()
    assert value.wire == text
    assert cart.to_dict() == {"createdDateTime": text}
    assert json.loads(cart.to_json()) == {"createdDateTime": text}


def test_datetime_compares_equal_across_offsets(m):
    value = m.Cart.from_dict({"createdDateTime": "2017-01-01T00:02:37.446308+03:00"}).created_date_time
    assert value == datetime(2016, 12, 31, 21, 2, 37, 446308, tzinfo=timezone.utc)
    assert hash(value) == hash(datetime(2017, 1, 1, 0, 2, 37, 446308, tzinfo=TZ3))


@pytest.mark.parametrize(
    "value, wire",
    [
        (datetime(2020, 1, 2, 3, 4, 5, tzinfo=timezone.utc), "2020-01-02T03:04:05Z"),
        (
            datetime(2020, 1, 2, 3, 4, 5, 60, tzinfo=TZ3),
            "2020-01-02T03:04:05.000060+03:00",
        ),
    ],
)
def test_user_datetime_serialises_as_iso(m, value, wire):
    assert m.Cart(created_date_time=value).to_dict() == {"createdDateTime": wire}


def test_naive_datetime_from_python_is_refused(m, rt):
    naive = datetime(2020, 1, 2, 3, 4, 5)
    with pytest.raises(ValidationError, match="naive datetime .* needs a timezone"):
        m.Cart(created_date_time=naive)
    cart = m.Cart()
    with pytest.raises(ValidationError, match="naive datetime"):
        cart.created_date_time = naive
    with pytest.raises(ValueError, match="naive datetime"):
        rt.dump_body({"start": naive})
    # wire text without an offset is what the service sent: kept as it is
    parsed = m.Cart.from_dict({"createdDateTime": "2014-01-01T00:00:00"})
    assert parsed.to_dict() == {"createdDateTime": "2014-01-01T00:00:00"}


def test_arithmetic_result_serialises_canonically(m):
    cart = m.Cart.from_dict({"createdDateTime": "2016-12-31T23:56:51.5562076+03:00"})
    cart.created_date_time = cart.created_date_time + timedelta(hours=1)
    assert cart.to_dict() == {"createdDateTime": "2017-01-01T00:56:51.556207+03:00"}


@pytest.mark.parametrize(
    "bad",
    [
        "not a date",
        "String (timestamp)",
        "",
        "2020-13-01T00:00:00Z",
        "2020-01-01T25:00:00",
        "2020-01-01T00:00:00+25:00",
        12,
        [],
        date(2020, 1, 1),
    ],
)
def test_invalid_datetime_is_a_validation_error(m, rt, bad):
    with pytest.raises(ValidationError):
        m.Cart.from_dict({"createdDateTime": bad})
    if isinstance(bad, str):
        with pytest.raises(ValueError):
            rt._parse_datetime(bad)


def test_date_round_trip_and_user_value(m, rt):
    cart = m.Cart.from_dict({"dueDate": "2021-06-01"})
    assert isinstance(cart.due_date, rt.WireDate)
    assert cart.due_date == date(2021, 6, 1)
    assert cart.to_dict() == {"dueDate": "2021-06-01"}
    assert m.Cart(due_date=date(2022, 2, 3)).to_dict() == {"dueDate": "2022-02-03"}
    for bad in ("2021-6-1", "2021-06-01T00:00:00Z", "june"):
        with pytest.raises(ValidationError):
            m.Cart.from_dict({"dueDate": bad})


@pytest.mark.parametrize(
    "text, expected",
    [
        ("08:00:00.0000000", time(8)),
        ("13:45:30.1234567", time(13, 45, 30, 123456)),
        ("23:59:59", time(23, 59, 59)),
        ("07:30", time(7, 30)),
    ],
)
def test_time_of_day_round_trip(m, rt, text, expected):
    cart = m.Cart.from_dict({"opensAt": text})
    assert isinstance(cart.opens_at, rt.WireTime)
    assert cart.opens_at == expected
    assert cart.to_dict() == {"opensAt": text}


def test_time_of_day_user_value_and_errors(m):
    assert m.Cart(opens_at=time(9, 30)).to_dict() == {"opensAt": "09:30:00"}
    with pytest.raises(ValidationError):
        m.Cart.from_dict({"opensAt": "9am"})


@pytest.mark.parametrize(
    "text, expected",
    [
        ("PT1H30M", timedelta(hours=1, minutes=30)),
        ("-PT17.1357909S", -timedelta(seconds=17, microseconds=135790)),
        ("P1D", timedelta(days=1)),
        ("P1DT2H", timedelta(days=1, hours=2)),
        ("PT0S", timedelta(0)),
        ("P1Y", timedelta(days=365)),
        ("P2M", timedelta(days=60)),
        ("P2W", timedelta(days=14)),
        ("PT0.5S", timedelta(milliseconds=500)),
    ],
)
def test_duration_round_trip(m, rt, text, expected):
    cart = m.Cart.from_dict({"hold": text})
    assert isinstance(cart.hold, rt.WireDuration)
    assert cart.hold == expected
    assert cart.to_dict() == {"hold": text}


@pytest.mark.parametrize(
    "value, wire",
    [
        (timedelta(hours=1, minutes=30), "PT1H30M"),
        (-timedelta(seconds=17, microseconds=500000), "-PT17.5S"),
        (timedelta(0), "PT0S"),
        (timedelta(days=2, seconds=5), "P2DT5S"),
        (timedelta(days=3), "P3D"),
        (timedelta(microseconds=1), "PT0.000001S"),
    ],
)
def test_user_duration_serialises_as_iso(m, value, wire):
    assert m.Cart(hold=value).to_dict() == {"hold": wire}


@pytest.mark.parametrize("bad", ["P", "PT", "1H", "P1DT", "PT1.5", "abc", "P1H", "PT-1S"])
def test_invalid_duration(m, bad):
    with pytest.raises(ValidationError):
        m.Cart.from_dict({"hold": bad})


@given(st.timedeltas(min_value=-timedelta(days=10**6), max_value=timedelta(days=10**6)))
def test_canonical_duration_parses_back(rt, value):
    text = rt._dump_duration(value)
    assert rt._parse_duration(text) == value
    assert rt._parse_duration(text).wire == text


@given(st.datetimes(timezones=st.sampled_from([timezone.utc, TZ3, timezone(-timedelta(hours=9, minutes=30))])))
def test_canonical_datetime_parses_back(rt, value):
    text = rt._dump_datetime(value)
    parsed = rt._parse_datetime(text)
    assert parsed == value
    assert parsed.utcoffset() == value.utcoffset()


def test_deepcopy_keeps_wire_text(m):
    data = {
        "createdDateTime": "2016-12-31T23:56:51.5562076+03:00",
        "hold": "-PT17.1357909S",
    }
    cart = m.Cart.from_dict(data)
    assert copy.deepcopy(cart).to_dict() == data
    assert cart.model_copy(deep=True).to_dict() == data


def test_numbers_keep_their_json_type(m):
    cart = m.Cart.from_dict({"price": 5, "size": 9007199254740993})
    assert type(cart.price) is int and cart.price == 5
    assert cart.size == 9007199254740993
    assert cart.to_json() == '{"price": 5, "size": 9007199254740993}'
    cart = m.Cart.from_dict({"price": 1.0})
    assert type(cart.price) is float
    assert cart.to_json() == '{"price": 1.0}'


# ---------------------------------------------------------------- GraphModel


FULL = {
    "@odata.context": "https://graph.example/v1.0/$metadata#carts/$entity",
    "@odata.type": "#microsoft.graph.cart",
    "displayName": "Café",
    "createdDateTime": "2016-12-31T23:56:51.5562076+03:00",
    "dueDate": None,
    "opensAt": "08:00:00.0000000",
    "hold": "-PT17.1357909S",
    "price": 2.5,
    "tags": ["a", "b"],
    "unknownThing": {"nested": [1, {"deep": None}]},
    "modelName": "x",
}


def test_round_trip_law_with_order(m):
    cart = m.Cart.from_dict(FULL)
    assert type(cart) is m.Cart
    out = cart.to_dict()
    assert out == FULL
    assert list(out) == list(FULL)
    assert cart.to_json() == json.dumps(FULL, ensure_ascii=False)
    assert m.Cart.from_json(cart.to_json()).to_dict() == FULL
    assert m.Cart.from_json(json.dumps(FULL).encode()).to_dict() == FULL


def test_nested_round_trip(m):
    data = {
        "id": "6b0ef3a4-5f2a-4d5e-9b6c-0a1b2c3d4e5f",
        "carts": [
            {"displayName": "one", "extra": 1},
            {"createdDateTime": "2014-01-01T00:00:00Z", "tags": None},
        ],
        "cart": {"hold": "P1DT2H", "displayName": None},
        "@odata.etag": 'W/"abc"',
    }
    holder = m.Holder.from_dict(data)
    assert isinstance(holder.carts[0], m.Cart)
    assert holder.to_dict() == data
    assert list(holder.to_dict()["cart"]) == ["hold", "displayName"]


def test_only_set_fields_are_dumped(m):
    assert m.Cart.from_dict({"displayName": "x"}).to_dict() == {"displayName": "x"}
    assert m.Cart().to_dict() == {}


def test_construct_by_name_or_alias(m):
    assert m.Cart(display_name="a").to_dict() == {"displayName": "a"}
    assert m.Cart(displayName="a").to_dict() == {"displayName": "a"}
    assert m.Cart(model_name="n").model_name == "n"
    assert m.Cart.from_dict({"display_name": "b"}).display_name == "b"


def test_assignment_marks_field_as_set(m, rt):
    cart = m.Cart.from_dict({"displayName": "x"})
    cart.size = 3
    cart.display_name = None
    cart.created_date_time = "2014-01-01T00:00:00Z"
    assert isinstance(cart.created_date_time, rt.WireDateTime)
    assert cart.to_dict() == {
        "displayName": None,
        "size": 3,
        "createdDateTime": "2014-01-01T00:00:00Z",
    }
    with pytest.raises(ValidationError):
        cart.size = "not a number"
    cart.brandNewProperty = [1]
    assert cart.to_dict()["brandNewProperty"] == [1]


def test_equality_ignores_key_order(m):
    a = m.Cart.from_dict({"displayName": "x", "size": 1})
    b = m.Cart.from_dict({"size": 1, "displayName": "x"})
    assert a == b
    assert a == m.Cart(display_name="x", size=1)
    assert a != m.Cart(display_name="y", size=1)
    assert a != m.SpecialCart(display_name="x", size=1)


def test_key_order_when_keys_came_by_attribute_name_or_were_set_later(m):
    """The fast path (every key received by its wire name) and the general one give the
    received order; keys set after parsing follow in declaration order."""
    mixed = m.Cart.from_dict({"size": 1, "display_name": "b", "tags": []})
    assert list(mixed.to_dict()) == ["size", "displayName", "tags"]
    assert list(mixed.model_dump(exclude_unset=True)) == ["size", "display_name", "tags"]
    later = m.Cart.from_dict({"tags": [], "displayName": "x"})
    later.size = 3
    later.model_name = "n"
    assert list(later.to_dict()) == ["tags", "displayName", "size", "modelName"]
    nested = m.Holder.from_dict({"cart": {"size": 1, "displayName": "a"}, "id": "1"})
    assert list(nested.to_dict()) == ["cart", "id"]
    assert list(nested.to_dict()["cart"]) == ["size", "displayName"]


def test_parsing_never_runs_the_constructor_check_and_a_custom_init_still_parses(rt, m):
    """Parsed mappings skip GraphModel.__init__ (pydantic is told it is the base __init__);
    a subclass with an __init__ of its own is called for parsed mappings, which must still
    keep unknown keys and not count as built by a constructor."""
    assert m.Cart.__pydantic_custom_init__ is False
    parsed = m.Cart.from_dict({"displayName": "x", "notDeclared": 1})
    assert parsed.to_dict() == {"displayName": "x", "notDeclared": 1}
    assert parsed._built is False and m.Cart(display_name="x")._built is True

    class Counted(rt.GraphModel):
        size: int | None = None

        def __init__(self, /, **data):
            super().__init__(**data)

    assert Counted.__pydantic_custom_init__ is True
    counted = Counted.model_validate({"size": 2, "extraKey": "kept"})
    assert counted.to_dict() == {"size": 2, "extraKey": "kept"} and counted._built is False
    with pytest.raises(TypeError):
        Counted(extra_key=1)


def test_a_collection_item_that_does_not_validate_is_a_parse_error(rt, m):
    resp = response(200, json.dumps({"value": [{"size": 1}, {"size": "many"}]}))
    with pytest.raises(rt.ResponseParseError) as info:
        rt.Pager(None, resp, m.Cart)
    assert isinstance(info.value.__cause__, ValidationError)
    items = rt.Pager(None, response(200, json.dumps({"value": [{"size": 1}]})), m.Cart).items
    assert items[0]._received == {"size": 1}


def test_from_dict_accepts_any_mapping_and_rejects_non_mappings(m):
    proxy = types.MappingProxyType({"displayName": "p"})
    assert m.Cart.from_dict(proxy).display_name == "p"
    with pytest.raises(ValidationError):
        m.Cart.from_dict([1, 2])


# ------------------------------------------------------------ polymorphism


@pytest.mark.parametrize(
    "odata_type",
    [
        "#microsoft.graph.specialCart",
        "microsoft.graph.specialCart",
        "#MICROSOFT.GRAPH.SPECIALCART",
    ],
)
def test_top_level_dispatch(m, odata_type):
    data = {"@odata.type": odata_type, "displayName": "s", "discount": 0.5}
    cart = m.Cart.from_dict(data)
    assert type(cart) is m.SpecialCart
    assert cart.discount == 0.5
    assert cart.to_dict() == data


def test_nested_field_and_list_dispatch(m):
    special = {"@odata.type": "#microsoft.graph.specialCart", "discount": 2}
    data = {"cart": special, "carts": [{"displayName": "plain"}, special]}
    holder = m.Holder.from_dict(data)
    assert type(holder.cart) is m.SpecialCart
    assert [type(c) for c in holder.carts] == [m.Cart, m.SpecialCart]
    # subclass-only fields survive serialisation through a base-typed field
    assert holder.to_dict() == data


def test_user_built_subclass_in_base_field_serialises_fully(m):
    holder = m.Holder(cart=m.SpecialCart(discount=3, display_name="d"))
    assert holder.to_dict() == {"cart": {"discount": 3, "displayName": "d"}}


def test_unregistered_or_unrelated_type_keeps_declared_class(m):
    unknown = {
        "@odata.type": "#microsoft.graph.unknownCart",
        "displayName": "u",
        "x": 1,
    }
    cart = m.Cart.from_dict(unknown)
    assert type(cart) is m.Cart
    assert cart.to_dict() == unknown
    unrelated = {"@odata.type": "#microsoft.graph.other", "kind": "k"}
    cart = m.Cart.from_dict(unrelated)
    assert type(cart) is m.Cart
    assert cart.to_dict() == unrelated


def test_constructor_never_swaps_class_but_nested_values_dispatch(m):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cart = m.Cart(**{"@odata.type": "#microsoft.graph.specialCart"}, display_name="c")
    assert type(cart) is m.Cart
    assert cart.to_dict() == {
        "@odata.type": "#microsoft.graph.specialCart",
        "displayName": "c",
    }
    holder = m.Holder(cart={"@odata.type": "#microsoft.graph.specialCart", "discount": 1})
    assert type(holder.cart) is m.SpecialCart
    holder.cart = {"@odata.type": "microsoft.graph.specialCart", "discount": 4}
    assert type(holder.cart) is m.SpecialCart
    assert holder.to_dict()["cart"] == {
        "@odata.type": "microsoft.graph.specialCart",
        "discount": 4,
    }


def test_resolve_model_is_lazy_and_cached(rt):
    assert "rtpkg.lazy" not in sys.modules
    first = rt.resolve_model("#Microsoft.Graph.LazyThing")
    assert "rtpkg.lazy" in sys.modules
    assert first.__name__ == "LazyThing"
    assert rt.resolve_model("microsoft.graph.lazything") is first
    assert rt.resolve_model("microsoft.graph.nothing") is None
    assert rt.resolve_model(None) is None
    with pytest.raises(TypeError):
        rt.resolve_model("microsoft.graph.notAModel")


def test_dump_body(rt, m):
    assert rt.dump_body(None) is None
    assert rt.dump_body(m.Cart(display_name="x")) == {"displayName": "x"}
    body = {
        "cart": m.Cart(size=1),
        "items": (m.Cart(size=2), 3),
        "when": datetime(2020, 1, 1, tzinfo=timezone.utc),
        "day": date(2020, 1, 2),
        "hold": timedelta(minutes=5),
        "plain": {"a": [1, None]},
    }
    assert rt.dump_body(body) == {
        "cart": {"size": 1},
        "items": [{"size": 2}, 3],
        "when": "2020-01-01T00:00:00Z",
        "day": "2020-01-02",
        "hold": "PT5M",
        "plain": {"a": [1, None]},
    }


# ------------------------------------------------------------------ errors


def response(status, content=b"", headers=None, url=f"{BASE}/carts"):
    if isinstance(content, str):
        content = content.encode("utf-8")
    return httpx.Response(status, content=content, headers=headers, request=httpx.Request("GET", url))


GRAPH_ERROR = {
    "error": {
        "code": "itemNotFound",
        "message": "The resource could not be found.",
        "innerError": {
            "request-id": "rid-1",
            "client-request-id": "crid-1",
            "date": "2024-01-01T00:00:00",
        },
    }
}


@pytest.mark.parametrize(
    "status, name",
    [
        (400, "BadRequestError"),
        (401, "AuthenticationError"),
        (403, "PermissionDeniedError"),
        (404, "NotFoundError"),
        (409, "ConflictError"),
        (412, "PreconditionFailedError"),
        (429, "RateLimitError"),
        (500, "InternalServerError"),
        (502, "InternalServerError"),
        (503, "InternalServerError"),
        (599, "InternalServerError"),
        (418, "APIStatusError"),
        (202, "APIStatusError"),
        (302, "APIStatusError"),
    ],
)
def test_error_class_by_status(rt, status, name):
    err = rt.error_from_response(response(status, json.dumps(GRAPH_ERROR)))
    assert type(err) is getattr(rt, name)
    assert isinstance(err, rt.APIStatusError) and isinstance(err, rt.GraphError)
    assert err.status_code == status
    with pytest.raises(getattr(rt, name)):
        rt.raise_for_status(response(status, "{}"), expected=(200, 204))


def test_graph_error_body_is_parsed(rt):
    resp = response(404, json.dumps(GRAPH_ERROR))
    err = rt.error_from_response(resp)
    assert err.code == "itemNotFound"
    assert err.message == "The resource could not be found."
    assert err.request_id == "rid-1"
    assert err.client_request_id == "crid-1"
    assert err.date == "2024-01-01T00:00:00"
    assert err.inner_error == GRAPH_ERROR["error"]["innerError"]
    assert err.body == json.dumps(GRAPH_ERROR)
    assert err.response is resp
    assert str(err) == "404 itemNotFound: The resource could not be found. (request-id: rid-1)"


def test_lowercase_innererror_and_header_request_id(rt):
    body = {"error": {"code": "Forbidden", "message": "No.", "innererror": {"date": "d"}}}
    err = rt.error_from_response(
        response(
            403,
            json.dumps(body),
            headers={"request-id": "hdr-rid", "client-request-id": "c"},
        )
    )
    assert err.inner_error == {"date": "d"}
    assert err.date == "d"
    assert err.request_id == "hdr-rid"
    assert err.client_request_id == "c"
    assert str(err) == "403 Forbidden: No. (request-id: hdr-rid)"


@pytest.mark.parametrize(
    "body, text",
    [
        ("<html>bad gateway</html>", "502: <html>bad gateway</html>"),
        ("", "502: Bad Gateway"),
        ('{"error": ', '502: {"error":'),
        ("[1, 2]", "502: [1, 2]"),
        (
            '{"error": {"code": 5, "message": null}}',
            '502: {"error": {"code": 5, "message": null}}',
        ),
        ("\ufeff" + json.dumps({"error": {"code": "c", "message": "m"}}), "502 c: m"),
    ],
)
def test_odd_error_bodies(rt, body, text):
    err = rt.error_from_response(response(502, body))
    assert type(err) is rt.InternalServerError
    assert err.body == body
    assert str(err) == text


def test_oauth_and_odata_v3_error_shapes(rt):
    err = rt.error_from_response(response(400, json.dumps({"error": "invalid_grant", "error_description": "expired"})))
    assert (err.code, err.message) == ("invalid_grant", "expired")
    err = rt.error_from_response(
        response(
            400,
            json.dumps({"error": {"code": "x", "message": {"lang": "en", "value": "v"}}}),
        )
    )
    assert (err.code, err.message) == ("x", "v")


def test_raise_for_status_passes_expected(rt):
    assert rt.raise_for_status(response(204), expected=(200, 204)) is None


# ------------------------------------------------------------- parsing


def test_parse_model_and_collection(rt, m):
    cart = rt.parse_model(
        response(200, json.dumps({"@odata.type": "#microsoft.graph.specialCart"})),
        m.Cart,
    )
    assert type(cart) is m.SpecialCart
    page = {"value": [{"displayName": "a"}, {"displayName": "b"}], "@odata.count": 2}
    items = rt.Pager(None, response(200, json.dumps(page)), m.Cart).items
    assert [c.display_name for c in items] == ["a", "b"]
    assert rt.Pager(None, response(200, '{"value": ["x", "y"]}'), str).items == ["x", "y"]
    assert rt.parse_json(response(200, '{"a": [1]}')) == {"a": [1]}
    assert rt.parse_bytes(response(200, b"\x00\xff")) == b"\x00\xff"


@pytest.mark.parametrize(
    "body, cause",
    [
        ("{not json", json.JSONDecodeError),
        ("", json.JSONDecodeError),
        ('{"displayName": 5}', ValidationError),
        ("[1, 2]", ValidationError),
    ],
)
def test_parse_model_errors(rt, m, body, cause):
    resp = response(200, body)
    with pytest.raises(rt.ResponseParseError) as info:
        rt.parse_model(resp, m.Cart)
    assert isinstance(info.value, rt.GraphError)
    assert isinstance(info.value.__cause__, cause)
    assert info.value.status_code == 200
    assert info.value.body == body
    assert info.value.response is resp


@pytest.mark.parametrize("body", ['{"value": 3}', "{}", "[]", '{"value": [1]}', "nope"])
def test_collection_errors(rt, m, body):
    with pytest.raises(rt.ResponseParseError):
        rt.Pager(None, response(200, body), m.Cart)


@pytest.mark.parametrize("body", ["893", "\ufeff893", b"\xef\xbb\xbf893", "893\r\n"])
def test_parse_count(rt, body):
    assert rt.parse_count(response(200, body)) == 893


@pytest.mark.parametrize("body", ["", "abc", "-1", "1.5", "1_000"])
def test_parse_count_errors(rt, body):
    with pytest.raises(rt.ResponseParseError):
        rt.parse_count(response(200, body))


# ------------------------------------------------------------ sync core


class Recorder:
    """A MockTransport handler replaying canned responses and recording requests."""

    def __init__(self, *responses):
        self.responses = list(responses)
        self.requests = []

    def __call__(self, request):
        self.requests.append(request)
        item = self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]
        if isinstance(item, Exception):
            raise item
        return item


def ok(body=None, status=200, headers=None):
    return httpx.Response(status, json=body if body is not None else {}, headers=headers)


def sync_core(rt, handler, **kwargs):
    sleeps = []
    kwargs.setdefault("token", "tok")
    kwargs.setdefault("base_url", BASE)
    core = rt.SyncCore(transport=httpx.MockTransport(handler), sleep=sleeps.append, **kwargs)
    return core, sleeps


def test_request_headers_and_json_body(rt, m):
    rec = Recorder(ok({"id": "1"}, status=201))
    core, _ = sync_core(rt, rec, default_headers={"ConsistencyLevel": "eventual"})
    result = core.request(
        "post",
        "/carts",
        json_body=m.Cart(display_name="Čaj"),
        headers={"If-Match": "*", "X-Skip": None},
        expected=(201,),
    )
    assert result.status_code == 201
    sent = rec.requests[0]
    assert sent.method == "POST"
    assert sent.headers["Authorization"] == "Bearer tok"
    assert sent.headers["Accept"] == "application/json"
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.headers["User-Agent"].startswith("docgen-graph-client")
    assert sent.headers["ConsistencyLevel"] == "eventual"
    assert sent.headers["If-Match"] == "*"
    assert "X-Skip" not in sent.headers
    assert sent.content == '{"displayName":"Čaj"}'.encode("utf-8")


def test_none_header_removes_default_and_content_passthrough(rt):
    rec = Recorder(ok())
    core, _ = sync_core(rt, rec)
    core.request(
        "PUT",
        "/x/$value",
        content=b"\x00raw",
        headers={"Accept": None, "Content-Type": "text/plain"},
    )
    sent = rec.requests[0]
    assert sent.headers["Accept"] == "*/*"  # httpx's own default, not ours
    assert sent.headers["Content-Type"] == "text/plain"
    assert sent.content == b"\x00raw"
    with pytest.raises(TypeError):
        core.request("POST", "/x", json_body={}, content=b"x")


def test_token_callable_called_per_request(rt):
    calls = []

    def token():
        calls.append(1)
        return f"t{len(calls)}"

    rec = Recorder(ok())
    core, _ = sync_core(rt, rec, token=token)
    core.request("GET", "/a")
    core.request("GET", "/b")
    assert len(calls) == 2
    assert [r.headers["Authorization"] for r in rec.requests] == [
        "Bearer t1",
        "Bearer t2",
    ]


def test_base_url_slash_and_verbatim_path(rt):
    rec = Recorder(ok())
    core, _ = sync_core(rt, rec, base_url=BASE + "/")
    core.request("GET", "/reports/getX(period='D7')")
    core.request("GET", "/items/a:b,c=d/$value")
    core.request("GET", "/drives/x/root:/folder:/children", params={"$top": 5})
    assert [r.url.raw_path for r in rec.requests] == [
        b"/v1.0/reports/getX(period='D7')",
        b"/v1.0/items/a:b,c=d/$value",
        b"/v1.0/drives/x/root:/folder:/children?$top=5",
    ]
    assert str(rec.requests[0].url) == "https://graph.example/v1.0/reports/getX(period='D7')"


def test_params_are_appended_and_encoded(rt):
    rec = Recorder(ok())
    core, _ = sync_core(rt, rec)
    core.request(
        "GET",
        "/users?$filter=a",
        params={
            "$select": ["id", "displayName"],
            "$count": True,
            "$search": '"display name:a+b"',
            "$skip": None,
            "when": datetime(2020, 1, 1, tzinfo=TZ3),
        },
    )
    url = rec.requests[0].url
    assert url.raw_path == (
        b"/v1.0/users?$filter=a&$select=id,displayName&$count=true"
        b"&$search=%22display%20name:a%2Bb%22&when=2020-01-01T00:00:00%2B03:00"
    )
    assert url.params["$search"] == '"display name:a+b"'
    assert url.params["when"] == "2020-01-01T00:00:00+03:00"


def test_unexpected_status_raises_typed_error(rt):
    rec = Recorder(httpx.Response(404, json=GRAPH_ERROR))
    core, _ = sync_core(rt, rec)
    with pytest.raises(rt.NotFoundError) as info:
        core.request("GET", "/carts/1")
    assert info.value.request_id == "rid-1"
    assert info.value.response.status_code == 404
    rec = Recorder(httpx.Response(204))
    core, _ = sync_core(rt, rec)
    with pytest.raises(rt.APIStatusError):
        core.request("GET", "/carts/1", expected=(200,))
    assert core.request("DELETE", "/carts/1", expected=(204,)).status_code == 204


def test_get_retries_429_honouring_retry_after(rt):
    rec = Recorder(ok(status=429, headers={"Retry-After": "3"}), ok({"v": 1}))
    core, sleeps = sync_core(rt, rec)
    assert core.request("GET", "/carts").json() == {"v": 1}
    assert len(rec.requests) == 2
    assert sleeps == [3.0]


def test_retry_after_beyond_the_cap_raises_at_once_and_accepts_http_dates(rt):
    rec = Recorder(ok(status=429, headers={"Retry-After": "120"}), ok())
    core, sleeps = sync_core(rt, rec)
    with pytest.raises(rt.RateLimitError) as info:
        core.request("GET", "/x")
    assert info.value.retry_after == 120.0
    assert sleeps == [] and len(rec.requests) == 1
    rec = Recorder(ok(status=503, headers={"Retry-After": "120"}), ok())
    core, sleeps = sync_core(rt, rec, max_retry_after=200, retry_budget=300)
    core.request("GET", "/x")
    assert sleeps == [120.0]
    future = datetime.now(timezone.utc) + timedelta(seconds=10)
    past = datetime.now(timezone.utc) - timedelta(seconds=100)
    rec = Recorder(
        ok(status=429, headers={"Retry-After": format_datetime(future, usegmt=True)}),
        ok(status=429, headers={"Retry-After": format_datetime(past, usegmt=True)}),
        ok(),
    )
    core, sleeps = sync_core(rt, rec)
    core.request("GET", "/x")
    assert 7.5 < sleeps[0] <= 10.0
    assert sleeps[1] == 0.0


def test_503_backoff_without_retry_after(rt):
    rec = Recorder(ok(status=503), ok(status=503), ok(status=503), ok())
    core, sleeps = sync_core(rt, rec, max_retries=3)
    core.request("HEAD", "/x")
    assert len(rec.requests) == 4
    assert 0.375 <= sleeps[0] <= 0.5
    assert 0.75 <= sleeps[1] <= 1.0
    assert 1.5 <= sleeps[2] <= 2.0


def test_backoff_is_capped(rt):
    core, _ = sync_core(rt, Recorder(ok()))
    assert all(6.0 <= core._backoff(n) <= 8.0 for n in (4, 5, 10))


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_post_and_patch_retry_only_when_the_service_did_not_act(rt, method):
    rec = Recorder(ok(status=429, headers={"Retry-After": "1"}), ok())
    core, sleeps = sync_core(rt, rec)
    core.request(method, "/carts", json_body={})
    assert len(rec.requests) == 2 and sleeps == [1.0]
    for status, headers in ((429, {}), (503, {}), (504, {"Retry-After": "1"})):
        rec = Recorder(ok(status=status, headers=headers), ok())
        core, sleeps = sync_core(rt, rec)
        with pytest.raises(rt.APIStatusError):
            core.request(method, "/carts", json_body={})
        assert len(rec.requests) == 1
        assert sleeps == []


def test_504_is_retried_for_get(rt):
    rec = Recorder(ok(status=504), ok({"v": 2}))
    core, sleeps = sync_core(rt, rec)
    assert core.request("GET", "/x").json() == {"v": 2}
    assert len(sleeps) == 1


def test_retry_budget_bounds_the_total_wait(rt):
    rec = Recorder(ok(status=503, headers={"Retry-After": "30"}))
    core, sleeps = sync_core(rt, rec, max_retries=10, retry_budget=70)
    with pytest.raises(rt.InternalServerError) as info:
        core.request("GET", "/x")
    assert info.value.retry_after == 30.0
    # 30 + 30 fit in 70 seconds, a third wait would not
    assert sleeps == [30.0, 30.0]


@pytest.mark.parametrize("max_retries, attempts", [(0, 1), (2, 3), (4, 5)])
def test_max_retries_bound(rt, max_retries, attempts):
    rec = Recorder(ok(status=503))
    core, sleeps = sync_core(rt, rec, max_retries=max_retries)
    with pytest.raises(rt.InternalServerError):
        core.request("GET", "/x")
    assert len(rec.requests) == attempts
    assert len(sleeps) == attempts - 1


def test_500_is_not_retried(rt):
    rec = Recorder(ok(status=500), ok())
    core, sleeps = sync_core(rt, rec)
    with pytest.raises(rt.InternalServerError):
        core.request("GET", "/x")
    assert len(rec.requests) == 1


def test_connection_errors(rt):
    rec = Recorder(httpx.ConnectError("refused"), ok({"ok": True}))
    core, sleeps = sync_core(rt, rec)
    assert core.request("GET", "/x").json() == {"ok": True}
    assert len(sleeps) == 1
    rec = Recorder(httpx.ConnectError("refused"))
    core, sleeps = sync_core(rt, rec)
    with pytest.raises(rt.APIConnectionError) as info:
        core.request("POST", "/x", json_body={})
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert len(rec.requests) == 1
    rec = Recorder(httpx.ReadTimeout("slow"))
    core, sleeps = sync_core(rt, rec)
    with pytest.raises(rt.APITimeoutError):
        core.request("GET", "/x")
    assert len(rec.requests) == 1
    assert issubclass(rt.APITimeoutError, rt.APIConnectionError)


def test_redirects_are_followed(rt):
    def handler(request):
        if request.url.host == "graph.example":
            return httpx.Response(302, headers={"Location": "https://files.example/blob"})
        assert "Authorization" not in request.headers
        return httpx.Response(200, content=b"data")

    core, _ = sync_core(rt, handler)
    assert core.request("GET", "/drive/items/1/content").content == b"data"


def test_client_ownership(rt):
    core = rt.SyncCore(token="t", base_url=BASE, transport=httpx.MockTransport(Recorder(ok())))
    with core as entered:
        assert entered is core
    assert core.http_client.is_closed
    client = httpx.Client(transport=httpx.MockTransport(Recorder(ok())))
    with rt.SyncCore(token="t", base_url=BASE, http_client=client) as core:
        core.request("GET", "/x")
    assert not client.is_closed
    client.close()
    with pytest.raises(ValueError):
        rt.SyncCore(
            token="t",
            base_url=BASE,
            http_client=client,
            transport=httpx.MockTransport(ok),
        )


# ----------------------------------------------------------------- paging


def pages_handler(link_for_page3, limit=5):
    calls = []

    def handler(request):
        url = str(request.url)
        calls.append(url)
        if len(calls) > limit:  # a missing loop guard fails instead of hanging
            return httpx.Response(500, text="too many pages")
        if url == f"{BASE}/carts":
            body = {
                "value": [{"size": 1}, {"size": 2}],
                "@odata.nextLink": f"{BASE}/carts?$skiptoken=p2",
            }
        elif url == f"{BASE}/carts?$skiptoken=p2":
            body = {"value": [{"size": 3}], "@odata.nextLink": link_for_page3}
        elif url == f"{BASE}/carts?$skiptoken=p3":
            body = {
                "value": [{"size": 4}, {"size": 5}],
                "@odata.deltaLink": f"{BASE}/carts/delta?$deltatoken=d1",
            }
        else:  # pragma: no cover - a failing test shows the URL
            return httpx.Response(500, text=url)
        return httpx.Response(200, json=body)

    return handler


def test_iter_pages_sync_follows_next_links(rt, m):
    seen = []

    pages = pages_handler(f"{BASE}/carts?$skiptoken=p3")

    def handler(request):
        seen.append(request)
        return pages(request)

    core, _ = sync_core(rt, handler)
    items = list(rt.Pager(core, core.request("GET", "/carts"), m.Cart))
    assert [c.size for c in items] == [1, 2, 3, 4, 5]
    assert all(type(c) is m.Cart for c in items)
    assert [str(r.url) for r in seen] == [
        f"{BASE}/carts",
        f"{BASE}/carts?$skiptoken=p2",
        f"{BASE}/carts?$skiptoken=p3",
    ]
    assert all(r.headers["Authorization"] == "Bearer tok" for r in seen)


@pytest.mark.parametrize("loop", [f"{BASE}/carts?$skiptoken=p2", f"{BASE}/carts"])
def test_iter_pages_loop_guard(rt, m, loop):
    calls = []

    pages = pages_handler(loop)

    def handler(request):
        calls.append(str(request.url))
        return pages(request)

    core, _ = sync_core(rt, handler)
    items = list(rt.Pager(core, core.request("GET", "/carts"), m.Cart))
    assert [c.size for c in items] == [1, 2, 3]
    assert len(calls) == 2


def test_iter_pages_bad_next_link(rt, m):
    resp = response(200, json.dumps({"value": [], "@odata.nextLink": 5}))
    with pytest.raises(rt.ResponseParseError):
        rt.Pager(None, resp, m.Cart)
    resp = response(200, json.dumps({"value": [], "@odata.deltaLink": []}))
    with pytest.raises(rt.ResponseParseError):
        rt.Pager(None, resp, m.Cart)


def test_pager_count_delta_link_pages_and_iterating_again(rt, m):
    calls = []
    pages = pages_handler(f"{BASE}/carts?$skiptoken=p3", limit=12)

    def handler(request):
        calls.append(str(request.url))
        if str(request.url) == f"{BASE}/carts":
            return httpx.Response(
                200,
                json={
                    "@odata.count": 5,
                    "value": [{"size": 1}, {"size": 2}],
                    "@odata.nextLink": f"{BASE}/carts?$skiptoken=p2",
                },
            )
        return pages(request)

    core, _ = sync_core(rt, handler)
    pager = rt.Pager(core, core.request("GET", "/carts"), m.Cart)
    assert pager.count == 5 and pager.delta_link is None
    assert [c.size for c in pager.items] == [1, 2]
    pages_seen = list(pager.pages())
    assert [[c.size for c in p.items] for p in pages_seen] == [[1, 2], [3], [4, 5]]
    assert pages_seen[-1].delta_link == f"{BASE}/carts/delta?$deltatoken=d1"
    assert [p.count for p in pages_seen] == [5, None, None]
    # iterated again from the start; the first page is not fetched again
    assert [c.size for c in pager] == [1, 2, 3, 4, 5]
    assert [c.size for c in pager] == [1, 2, 3, 4, 5]
    assert calls.count(f"{BASE}/carts") == 1
    assert next(pager).size == 1 and next(pager).size == 2


# ------------------------------------------------------------ async core


def async_core(rt, handler, **kwargs):
    sleeps = []

    async def sleep(delay):
        sleeps.append(delay)

    kwargs.setdefault("token", "tok")
    kwargs.setdefault("base_url", BASE)
    core = rt.AsyncCore(transport=httpx.MockTransport(handler), sleep=sleep, **kwargs)
    return core, sleeps


def test_async_request_headers_and_token(rt, m):
    calls = []

    def token():
        calls.append(1)
        return f"t{len(calls)}"

    rec = Recorder(ok({"displayName": "a"}))

    async def run():
        core, _ = async_core(rt, rec, token=token, base_url=BASE + "/")
        async with core:
            first = await core.request("PATCH", "/carts/1", json_body=m.Cart(size=2))
            await core.request("GET", "/reports/getX(period='D7')/$value")
        assert core.http_client.is_closed
        return first

    first = asyncio.run(run())
    assert rt.parse_model(first, m.Cart).display_name == "a"
    assert [r.headers["Authorization"] for r in rec.requests] == [
        "Bearer t1",
        "Bearer t2",
    ]
    assert rec.requests[0].content == b'{"size":2}'
    assert rec.requests[0].headers["Content-Type"] == "application/json"
    assert rec.requests[1].url.raw_path == b"/v1.0/reports/getX(period='D7')/$value"


def test_async_retries_get_but_not_post(rt):
    rec = Recorder(ok(status=429, headers={"Retry-After": "2"}), ok({"ok": 1}))
    core, sleeps = async_core(rt, rec)
    assert asyncio.run(core.request("GET", "/x")).json() == {"ok": 1}
    assert sleeps == [2.0]
    assert len(rec.requests) == 2

    rec = Recorder(ok(status=503))
    core, sleeps = async_core(rt, rec)
    with pytest.raises(rt.InternalServerError):
        asyncio.run(core.request("POST", "/x", json_body={}))
    assert len(rec.requests) == 1 and sleeps == []

    rec = Recorder(ok(status=503))
    core, sleeps = async_core(rt, rec, max_retries=1)
    with pytest.raises(rt.InternalServerError):
        asyncio.run(core.request("DELETE", "/x", expected=(204,)))
    assert len(rec.requests) == 2 and len(sleeps) == 1


def test_async_errors(rt):
    rec = Recorder(httpx.Response(409, json={"error": {"code": "nameAlreadyExists"}}))
    core, _ = async_core(rt, rec)
    with pytest.raises(rt.ConflictError) as info:
        asyncio.run(core.request("PUT", "/x", content="text"))
    assert info.value.code == "nameAlreadyExists"
    rec = Recorder(httpx.ConnectTimeout("slow"))
    core, sleeps = async_core(rt, rec)
    with pytest.raises(rt.APITimeoutError):
        asyncio.run(core.request("GET", "/x"))
    assert len(rec.requests) == 3 and len(sleeps) == 2


def test_iter_pages_async(rt, m):
    async def run(loop_link):
        core, _ = async_core(rt, pages_handler(loop_link, limit=12))
        async with core:
            first = await core.request("GET", "/carts")
            pager = rt.AsyncPager(core, first, m.Cart)
            sizes = [c.size async for c in pager]
            again = [c.size async for c in pager]
            assert again == sizes
            pages = [p async for p in pager.pages()]
            assert pages[0].items == pager.items
            if len(pages) == 3:
                assert pages[-1].delta_link == f"{BASE}/carts/delta?$deltatoken=d1"
            assert (await pager.__anext__()).size == 1
            return sizes

    assert asyncio.run(run(f"{BASE}/carts?$skiptoken=p3")) == [1, 2, 3, 4, 5]
    assert asyncio.run(run(f"{BASE}/carts?$skiptoken=p2")) == [1, 2, 3]


def test_json_schema_describes_wire_types(m):
    for mode in ("validation", "serialization"):
        props = m.Cart.model_json_schema(mode=mode)["properties"]
        assert {"type": "string", "format": "date-time"} in props["createdDateTime"]["anyOf"]
        assert {"type": "string", "format": "duration"} in props["hold"]["anyOf"]
        assert "@odata.type" in props
