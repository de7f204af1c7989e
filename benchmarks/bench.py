"""docgen's speed against floors measured in the same run (the machine is noisy: ratios, not
seconds, are what the targets speak of).

    python benchmarks/bench.py [DOCS] [--runs N] [--scale N] [--no-typecheck] [--no-pyright]

Times are CPU seconds (user + system, the workers included) unless DOCGEN_BENCH_WALL=1: the
machine is usually shared, and wall time then measures the neighbours too.

DOCS is a folder of pages (default: ../shared/corpus when present, else docs_input). Each case
runs docgen as a user does (a separate process) and prints the median wall time of N runs next
to its floor and the ratio. Cases and targets (issue 6):

  seed check       `docgen check` on this repository      <= 2x  import markdown_it, jinja2, click
  ci check         `docgen check`, up-to-date tree,        <= 1x  markdown-it parsing every page
                   no caches                                      once in one process
  cold build       `docgen build`, empty output, no cache  <= 1x  parse floor + `black --fast` on
                                                                  the generated tree
  one-page build   `docgen build` after editing one        <= 0.15x markdown-it parsing every page
                   property description
  peak memory      of a cold build                         < 2 GiB
  import           `import graph_client` of the output     <= 2x  import pydantic, httpx
  mypy, pyright    `mypy --strict` (no cache) / `pyright`  <= 60 s / 120 s, peak memory shown
                   on the whole package; mypy on one user
                   file that imports a client
  parse+dump,      see runtime_bench.py (on DOCS itself,    <= 2x
  first call       not the scaled copies)

--scale N builds N renamed copies of DOCS (benchmarks/scale.py: each under copyK/, type names
suffixed) and measures every case on them: 25 copies of the 427-page sample are about the size of
the full reference. At that size use --runs 1 (a cold build takes minutes on two cores) and
perhaps --no-pyright (pyright takes about 5 minutes there).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


CPU = os.environ.get("DOCGEN_BENCH_WALL", "") == ""  # CPU seconds (user + system) unless asked for wall time


def timed(
    argv: list[str],
    cwd: Path,
    env: dict[str, str] | None = None,
    allow: tuple[int, ...] = (0, 1),
    output: list | None = None,
) -> tuple[float, int]:
    """Seconds and peak RSS (KiB) of one run of argv: its own peak, or that of a process it
    waited for (a build's workers), read through wait4, not RUSAGE_CHILDREN (which is a
    maximum over every child this script ran). The seconds are CPU time, user + system, of
    the process and the processes it waited for (the machine may be shared: wall time then
    measures the neighbours), or wall time with DOCGEN_BENCH_WALL=1."""
    with tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(
            argv,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdout=stderr if output is not None else subprocess.DEVNULL,
            stderr=stderr,
        )
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if output is not None:
            stderr.seek(0)
            output.append(stderr.read().decode("utf-8", "replace"))
        if process.returncode not in allow:
            stderr.seek(0)
            message = stderr.read().decode("utf-8", "replace")[-2000:]
            sys.exit(f"{' '.join(argv)} failed ({process.returncode}):\n{message}")
    WALL.append(elapsed)
    return (usage.ru_utime + usage.ru_stime if CPU else elapsed), usage.ru_maxrss


WALL: list[float] = []  # the wall seconds of every run timed(), in order


def median(argv: list[str], cwd: Path, runs: int, env: dict[str, str] | None = None, setup=None) -> float:
    times = []
    for _ in range(runs):
        if setup is not None:
            setup()
        times.append(timed(argv, cwd, env)[0])
    return statistics.median(times)


PARSE_FLOOR = """
import sys
from pathlib import Path
from markdown_it import MarkdownIt
md = MarkdownIt("commonmark").enable("table")
for path in sorted(Path(sys.argv[1]).rglob("*.md")):
    md.parse(path.read_text(encoding="utf-8", errors="replace"))
"""


USER_FILE = """
from {module} import GraphClient


def first_page(graph: GraphClient) -> int:
    return len(graph.__class__.__mro__)
"""


def typecheck_rows(
    out: Path, tmp: Path, env: dict[str, str], pyright: bool = True
) -> list[tuple[str, float, str, float, float]]:
    """mypy --strict (no incremental cache) and pyright on the whole generated package, and mypy
    on one user file that imports a client: wall seconds, peak memory in the case's name."""
    rows = []
    package = next(p.name for p in out.iterdir() if (p / "_runtime.py").is_file())
    version = next((p.name for p in sorted((out / package).iterdir()) if (p / "client.py").is_file()), "")
    module = f"{package}.{version}" if version else package
    (out / "docgen_bench_user.py").write_text(USER_FILE.format(module=module), encoding="utf-8")
    mypy = [PY, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp / "mypy-cache")]
    floor, _ = timed(mypy + ["-c", "import pydantic, httpx"], out, env)
    said: list[str] = []
    seconds, peak = timed(mypy + [package], out, env, output=said)
    rows.append((f"mypy, package, {_errors(said)}", seconds, f"60 s; peak {peak // 1024} MiB", 60.0, 1.0))
    said.clear()
    seconds, peak = timed(mypy + ["docgen_bench_user.py"], out, env, output=said)
    rows.append(
        (
            f"mypy, 1 user file, {_errors(said)}",
            seconds,
            f"mypy of `import pydantic, httpx`; {peak // 1024} MiB",
            floor,
            None,
        )
    )
    checker = shutil.which("pyright") or str(Path(PY).parent / "pyright")
    if not pyright:
        print("pyright: not measured (--no-pyright)")
    elif Path(checker).exists():
        said.clear()
        seconds, peak = timed([checker, "--pythonpath", PY, package], out, env, output=said)
        rows.append((f"pyright, package, {_errors(said)}", seconds, f"120 s; peak {peak // 1024} MiB", 120.0, 1.0))
    else:
        print("pyright is not installed (pip install pyright): not measured")
    return rows


def _errors(output: list[str]) -> str:
    """The error count a checker printed ("Found 3 errors", "3 errors, 0 warnings")."""
    text = "".join(output)
    match = re.search(r"Found (\d+) errors?", text) or re.search(r"(\d+) errors?, \d+ warnings?", text)
    return f"{match.group(1) if match else 0} errors"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default = ROOT.parent / "shared" / "corpus"
    parser.add_argument("docs", nargs="?", type=Path, default=default if default.is_dir() else ROOT / "docs_input")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale", type=int, default=1, help="build N renamed copies of DOCS (benchmarks/scale.py)")
    parser.add_argument("--no-typecheck", action="store_true", help="skip mypy and pyright on the output")
    parser.add_argument("--no-pyright", action="store_true", help="skip pyright (minutes at --scale 25)")
    args = parser.parse_args()
    sample = args.docs.resolve()
    runs = args.runs
    docgen = [PY, "-m", "docgen"]
    rows: list[tuple[str, float, str, float, float]] = []  # case, value, floor name, floor, target

    with tempfile.TemporaryDirectory(prefix="docgen-bench-") as tmp_name:
        tmp = Path(tmp_name)
        docs = sample
        if args.scale > 1:
            sys.path.insert(0, str(Path(__file__).parent))
            from scale import make_scaled

            docs = tmp / f"scaled{args.scale}"
            make_scaled(sample, docs, args.scale)
        pages = sum(1 for _ in docs.rglob("*.md"))
        cache = tmp / "cache"
        env = {"DOCGEN_CACHE_DIR": str(cache), "BLACK_CACHE_DIR": str(tmp / "black-cache"), "CI": "1"}

        # seed check (the pre-commit case)
        floor = median([PY, "-c", "import markdown_it, jinja2, click"], ROOT, runs)
        value = median(docgen + ["check"], ROOT, runs, env)
        rows.append(("seed check", value, "import markdown_it, jinja2, click", floor, 2.0))

        # cold build: empty output, no cache; against the parse floor plus black --fast on the
        # tree it wrote. The three alternate run by run, so that a machine that speeds up or
        # slows down during the benchmark moves the build and its floor alike.
        out = tmp / "out"
        build = docgen + ["build", "--input", str(docs), "--output", str(out)]
        black_fast = [PY, "-m", "black", "--fast", "--quiet", "--check", str(out)]
        cold_times, parse_times, black_times, peaks = [], [], [], []
        cold_walls, floor_walls = [], []
        for _ in range(runs):
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)
            seconds, peak = timed(build, ROOT, env)
            cold_times.append(seconds)
            cold_walls.append(WALL[-1])
            peaks.append(peak)
            shutil.rmtree(tmp / "black-cache", ignore_errors=True)
            black_times.append(timed(black_fast, ROOT, env)[0])
            parse_times.append(timed([PY, "-c", PARSE_FLOOR, str(docs)], ROOT)[0])
            floor_walls.append(WALL[-1] + WALL[-2])
        cold_build = statistics.median(cold_times)
        parse = statistics.median(parse_times)
        floor = statistics.median(p + b for p, b in zip(parse_times, black_times))
        # The cold build's target is in wall time: it is the case that uses both cores (the
        # floor's black --fast does too, on a folder; the parse floor runs on one). In CPU
        # seconds it is shown for what it costs, without a target.
        name = "parse floor + black --fast on the output"
        rows.append(("cold build, wall", statistics.median(cold_walls), name, statistics.median(floor_walls), 1.0))
        if CPU:
            rows.append(("cold build, CPU", cold_build, name, floor, None))

        # one page edited, before the CI check empties the cache: the cold build's cache serves
        # the copy's first build; its own output folder, so that `out` stays the cold build's
        edited = tmp / "edited"
        # the copy keeps the folder's name (which reaches the output): the cache then serves it
        work = tmp / "work" / docs.name
        shutil.copytree(docs, work)
        subprocess.run(
            docgen + ["build", "--input", str(work), "--output", str(edited)],
            cwd=ROOT,
            env={**os.environ, **env},
            capture_output=True,
        )
        page = next(
            p
            for p in sorted(work.rglob("*.md"))
            if "|Property|Type|Description|" in p.read_text(errors="replace")
            or "| Property | Type | Description |" in p.read_text(errors="replace")
        )
        original = page.read_text(encoding="utf-8").splitlines(keepends=True)
        row = next(i for i, line in enumerate(original) if "Property" in line and "Description" in line) + 2
        edits = iter(range(10**6))

        def edit() -> None:
            # a property's description: the model's file changes, and whatever shows it
            lines = list(original)
            lines[row] = lines[row].rstrip().rstrip("|") + f" Edited {next(edits)}.|\n"
            page.write_text("".join(lines), encoding="utf-8")

        value = median(docgen + ["build", "--input", str(work), "--output", str(edited)], ROOT, runs, env, setup=edit)
        rows.append(("one page edited, build", value, "markdown-it parse of every page", parse, 0.15))

        # CI check: up-to-date tree, fresh clone, no caches
        check = docgen + ["check", "--input", str(docs), "--output", str(out)]
        value = median(check, ROOT, runs, env, setup=lambda: shutil.rmtree(cache, ignore_errors=True))
        rows.append(("ci check, no caches", value, "markdown-it parse of every page", parse, 1.0))

        # import
        floor = median([PY, "-c", "import pydantic, httpx"], ROOT, runs)
        value = median([PY, "-c", "import graph_client"], out, runs)
        rows.append(("import graph_client", value, "import pydantic, httpx", floor, 2.0))

        peak_mib = max(peaks) / 1024
        if not args.no_typecheck:
            rows += typecheck_rows(out, tmp, env, pyright=not args.no_pyright)

        # the SDK at run time: on the sample itself (the cost per item does not grow with the API)
        sys.path.insert(0, str(Path(__file__).parent))
        import runtime_bench

        sample_out = tmp / "sample-out"
        timed(docgen + ["build", "--input", str(sample), "--output", str(sample_out)], ROOT, env)
        try:
            runtime = runtime_bench.parser().parse_args([str(sample_out), "--runs", str(max(runs, 5))])
            rows += runtime_bench.measure(runtime)
        except Exception as exc:  # another doc set has no groups.list: say so, measure the rest
            print(f"runtime benchmark skipped: {type(exc).__name__}: {exc}")

    kind = "CPU seconds (user + system)" if CPU else "wall seconds"
    print(
        f"docgen benchmark: {pages} pages from {sample} (x{args.scale}), median of {runs} runs, {os.cpu_count()} cores,"
        f" {kind}"
    )
    print(f"{'case':<30} {'median s':>9} {'floor s':>9} {'ratio':>7} {'target':>7}  floor")
    for case, value, floor_name, floor, target in rows:
        ratio = value / floor if floor else float("inf")
        mark = "" if target is None else " [ok]" if ratio <= target else " [MISS]"
        shown = f"{target:>6.2f}x" if target is not None else f"{'-':>7}"
        print(f"{case:<30} {value:>9.3f} {floor:>9.3f} {ratio:>7.2f} {shown}  {floor_name}{mark}")
    mark = "ok" if peak_mib < 2048 else "MISS"
    print(f"{'peak memory, cold build':<30} {peak_mib:>8.0f}M {'':>9} {'':>7} {'2048M':>7}  [{mark}]")


if __name__ == "__main__":
    main()
