"""What the generated SDK costs its users at run time, against pydantic and httpx themselves.

    python benchmarks/runtime_bench.py OUT [--module graph_client.v1_0] [--method groups.list]
        [--response tests.test_v1_0_group_list:RESPONSE_1] [--items 1000] [--runs 7]

OUT is a tree `docgen build` wrote from the Graph sample. Two cases:

  parse + dump    a documented collection response repeated to ITEMS items, parsed through the
                  client method (httpx.MockTransport, `pager.items`) and dumped back with
                  `to_dict()`; against `model_validate` + `model_dump(by_alias=True)` on plain
                  pydantic models with the same fields and aliases (datetime for the wire types,
                  nested models plain too) over the same JSON: the price of lossless wire values,
                  `@odata.type` dispatch and the remembered key order.
  first call      a new process: import the package (byte-compiled first, as pip install
                  leaves it), make a client, one request over MockTransport; against
                  `import httpx, pydantic` and one plain httpx request.

Prints medians; `--profile` prints where parse + dump spends its time instead.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import statistics
import subprocess
import sys
import time
import typing
from pathlib import Path

FIRST_CALL = """
import httpx
from {module} import GraphClient
def answer(request):
    return httpx.Response(200, json={{"value": []}})
with GraphClient(token="t", transport=httpx.MockTransport(answer)) as graph:
    graph.{method}().items
"""

FIRST_CALL_FLOOR = """
import httpx, pydantic
def answer(request):
    return httpx.Response(200, json={"value": []})
with httpx.Client(transport=httpx.MockTransport(answer)) as client:
    client.get("https://graph.microsoft.com/v1.0/groups").json()
"""


def plain_model(model: type, runtime: typing.Any, made: dict[type, type]) -> type:
    """A plain pydantic model with model's fields and aliases: no wire types, no dispatch, no
    key order; nested generated models become plain ones too."""
    import pydantic

    if model in made:
        return made[model]

    def plain(tp: typing.Any) -> typing.Any:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            base = typing.get_args(tp)[0]
            return plain(dt.datetime if base is runtime.WireDateTime else base)
        if isinstance(tp, type) and issubclass(tp, runtime.GraphModel):
            return plain_model(tp, runtime, made)
        if origin in (list, typing.Union) or str(origin) == "<class 'types.UnionType'>":
            args = tuple(plain(a) for a in typing.get_args(tp))
            return list[args[0]] if origin is list else typing.Union[args]
        return tp

    fields: dict[str, typing.Any] = {}
    for name, info in model.model_fields.items():
        fields[name] = (plain(info.annotation), pydantic.Field(default=None, alias=info.alias))
    made[model] = created = pydantic.create_model(
        f"Plain{model.__name__}", __config__=pydantic.ConfigDict(populate_by_name=True, extra="allow"), **fields
    )
    return created


def parse_dump_case(args: argparse.Namespace) -> tuple[typing.Callable[[], object], typing.Callable[[], object]]:
    import httpx

    sys.path[:0] = [str(args.out), str(args.out / "tests")]
    package = importlib.import_module(args.module)
    runtime = importlib.import_module(args.module.split(".")[0] + "._runtime")
    test_module, _, constant = args.response.partition(":")
    documented = getattr(importlib.import_module(test_module), constant)
    items = [dict(documented["value"][i % len(documented["value"])], id=f"item-{i}") for i in range(args.items)]
    body = json.dumps({"value": items}).encode()

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    graph = package.GraphClient(token="t", transport=httpx.MockTransport(answer))
    accessor, name = args.method.split(".")
    method = getattr(getattr(graph, accessor), name)
    model = type(method().items[0])
    plain = plain_model(model, runtime, {})
    plain_client = httpx.Client(transport=httpx.MockTransport(answer))

    def sdk() -> object:
        return [item.to_dict() for item in method().items]

    def floor() -> object:
        data = plain_client.get("https://graph.microsoft.com/v1.0/x").json()
        parsed = [plain.model_validate(item) for item in data["value"]]
        return [item.model_dump(mode="json", by_alias=True, exclude_unset=True) for item in parsed]

    assert sdk() == items, "the SDK's round trip is not exact"
    return sdk, floor


def best(func: typing.Callable[[], object], runs: int) -> float:
    """Median CPU seconds of this process (the machine is shared: wall time is noise)."""
    times = []
    for _ in range(runs):
        start = time.process_time()
        func()
        times.append(time.process_time() - start)
    return statistics.median(times)


def paired(func: typing.Callable[[], object], floor: typing.Callable[[], object], runs: int) -> tuple[float, float]:
    """best() of both, their runs alternating, so that load moves both alike."""
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(runs):
        for target, times in ((func, ours), (floor, theirs)):
            start = time.process_time()
            target()
            times.append(time.process_time() - start)
    return statistics.median(ours), statistics.median(theirs)


def process_time(code: str, cwd: Path, runs: int) -> float:
    """Median CPU seconds (user + system) of a new process running code."""
    times = []
    for _ in range(runs):
        process = subprocess.Popen([sys.executable, "-c", code], cwd=cwd)
        _, status, usage = os.wait4(process.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"the first-call script failed in {cwd}")
        times.append(usage.ru_utime + usage.ru_stime)
    return statistics.median(times)


def measure(args: argparse.Namespace) -> list[tuple[str, float, str, float, float]]:
    sdk, floor = parse_dump_case(args)
    ours, theirs = paired(sdk, floor, args.runs)
    rows = [(f"parse+dump {args.items} items (CPU)", ours, "plain pydantic model_validate + model_dump", theirs, 2.0)]
    # byte-compiled as `pip install` leaves it (httpx and pydantic are): with
    # PYTHONDONTWRITEBYTECODE set, every run would compile the package again
    package = args.out / args.module.split(".")[0]
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
    first = process_time(FIRST_CALL.format(module=args.module, method=args.method), args.out, args.runs)
    rows.append(
        (
            "first call (CPU)",
            first,
            "import httpx, pydantic + 1 httpx request",
            process_time(FIRST_CALL_FLOOR, args.out, args.runs),
            2.0,
        )
    )
    return rows


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out", type=Path)
    p.add_argument("--module", default="graph_client.v1_0")
    p.add_argument("--method", default="groups.list", help="accessor.method of a collection GET")
    p.add_argument("--response", default="tests.test_v1_0_group_list:RESPONSE_1")
    p.add_argument("--items", type=int, default=1000)
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--profile", action="store_true")
    return p


def main() -> None:
    args = parser().parse_args()
    args.out = args.out.resolve()
    if args.profile:
        import cProfile
        import pstats

        sdk, _ = parse_dump_case(args)
        profile = cProfile.Profile()
        profile.runcall(lambda: [sdk() for _ in range(5)])
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        return
    for case, value, floor_name, floor, target in measure(args):
        ratio = value / floor
        mark = "ok" if ratio <= target else "MISS"
        print(f"{case:<26} {value:>9.4f} {floor:>9.4f} {ratio:>7.2f} {target:>6.2f}x  {floor_name} [{mark}]")


if __name__ == "__main__":
    main()
