"""docgen's speed against floors measured in the same run (the machine is noisy: ratios, not
seconds, are what the targets speak of).

    python benchmarks/bench.py [DOCS] [--runs N]

DOCS is a folder of pages (default: ../shared/corpus when present, else docs_input). Each case
runs docgen as a user does (a separate process) and prints the median wall time of N runs next
to its floor and the ratio. Cases and targets (issue 6):

  seed check       `docgen check` on this repository      <= 2x  import markdown_it, jinja2, click
  ci check         `docgen check`, up-to-date tree,        <= 1x  markdown-it parsing every page
                   no caches                                      once in one process
  cold build       `docgen build`, empty output, no cache  <= 1x  parse floor + `black --fast` on
                                                                  the generated tree
  one-page build   `docgen build` after editing one page   <= 0.15x cold build
  peak memory      of a cold build                         < 2 GiB
  import           `import graph_client` of the output     <= 2x  import pydantic, httpx
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def timed(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one run of argv: its own peak, or that of a process
    it waited for (a build's workers), read through wait4, not RUSAGE_CHILDREN (which is a
    maximum over every child this script ran)."""
    with tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(
            argv, cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=stderr
        )
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in (0, 1):
            stderr.seek(0)
            message = stderr.read().decode("utf-8", "replace")[-2000:]
            sys.exit(f"{' '.join(argv)} failed ({process.returncode}):\n{message}")
    return elapsed, usage.ru_maxrss


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default = ROOT.parent / "shared" / "corpus"
    parser.add_argument("docs", nargs="?", type=Path, default=default if default.is_dir() else ROOT / "docs_input")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    docs = args.docs.resolve()
    runs = args.runs
    docgen = [PY, "-m", "docgen"]
    rows: list[tuple[str, float, str, float, float]] = []  # case, value, floor name, floor, target

    with tempfile.TemporaryDirectory(prefix="docgen-bench-") as tmp_name:
        tmp = Path(tmp_name)
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
        for _ in range(runs):
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)
            seconds, peak = timed(build, ROOT, env)
            cold_times.append(seconds)
            peaks.append(peak)
            shutil.rmtree(tmp / "black-cache", ignore_errors=True)
            black_times.append(timed(black_fast, ROOT, env)[0])
            parse_times.append(timed([PY, "-c", PARSE_FLOOR, str(docs)], ROOT)[0])
        cold_build = statistics.median(cold_times)
        parse = statistics.median(parse_times)
        floor = statistics.median(p + b for p, b in zip(parse_times, black_times))
        rows.append(("cold build", cold_build, "parse floor + black --fast on the output", floor, 1.0))

        # CI check: up-to-date tree, fresh clone, no caches
        check = docgen + ["check", "--input", str(docs), "--output", str(out)]
        value = median(check, ROOT, runs, env, setup=lambda: shutil.rmtree(cache, ignore_errors=True))
        rows.append(("ci check, no caches", value, "markdown-it parse of every page", parse, 1.0))

        # one page edited
        work = tmp / "docs"
        shutil.copytree(docs, work)
        shutil.rmtree(out, ignore_errors=True)
        subprocess.run(
            docgen + ["build", "--input", str(work), "--output", str(out)],
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
        original = page.read_text(encoding="utf-8")
        edits = iter(range(10**6))

        def edit() -> None:
            page.write_text(original + f"\n<!-- edited {next(edits)} -->\n", encoding="utf-8")

        value = median(docgen + ["build", "--input", str(work), "--output", str(out)], ROOT, runs, env, setup=edit)
        rows.append(("one page edited, build", value, "cold build", cold_build, 0.15))

        # import
        floor = median([PY, "-c", "import pydantic, httpx"], ROOT, runs)
        value = median([PY, "-c", "import graph_client"], out, runs)
        rows.append(("import graph_client", value, "import pydantic, httpx", floor, 2.0))

        peak_mib = max(peaks) / 1024

    pages = sum(1 for _ in docs.rglob("*.md"))
    print(f"docgen benchmark: {pages} pages from {docs}, median of {runs} runs, {os.cpu_count()} cores")
    print(f"{'case':<26} {'median s':>9} {'floor s':>9} {'ratio':>7} {'target':>7}  floor")
    for case, value, floor_name, floor, target in rows:
        ratio = value / floor if floor else float("inf")
        mark = "ok" if ratio <= target else "MISS"
        print(f"{case:<26} {value:>9.3f} {floor:>9.3f} {ratio:>7.2f} {target:>6.2f}x  {floor_name} [{mark}]")
    mark = "ok" if peak_mib < 2048 else "MISS"
    print(f"{'peak memory, cold build':<26} {peak_mib:>8.0f}M {'':>9} {'':>7} {'2048M':>7}  [{mark}]")


if __name__ == "__main__":
    main()
