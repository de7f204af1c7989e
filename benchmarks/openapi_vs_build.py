"""Side by side in one run, on the same pages: openapi-python-client generating a client from
docgen's OpenAPI export, and `docgen build`; then `docgen lint` against `docgen check` after one
page changed (both with a warm page cache).

    python benchmarks/openapi_vs_build.py [DOCS] [--runs N]

DOCS defaults to ../shared/corpus. Each figure is the median of N runs (default 3) of the
command as a user runs it (a new process each time); the caches live in a temporary folder."""

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

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def timed(command: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("docs", nargs="?", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    docs = Path(args.docs).resolve()
    work = Path(tempfile.mkdtemp(prefix="docgen-bench-"))
    env = dict(os.environ, DOCGEN_CACHE_DIR=str(work / "cache"), CI="1")
    docgen, opc = str(BIN / "docgen"), str(BIN / "openapi-python-client")
    pages = work / "pages"
    shutil.copytree(docs, pages)
    specs = work / "specs"
    subprocess.run([docgen, "export", "openapi", "--input", str(pages), "--output", str(specs)], env=env, check=True)
    documents = sorted(specs.glob("openapi.*.json"))
    rows: dict[str, list[float]] = {}
    for run in range(args.runs):
        out = work / f"client-{run}"
        rows.setdefault("docgen export openapi (warm page cache)", []).append(
            timed([docgen, "export", "openapi", "--input", str(pages), "--output", str(work / "s2")], env, work)
        )
        total = 0.0
        for document in documents:
            target = work / f"opc-{run}-{document.stem.replace('.', '_')}"
            total += timed(
                [opc, "generate", "--meta", "none", "--path", str(document), "--output-path", str(target)], env, work
            )
        rows.setdefault(f"openapi-python-client generate ({len(documents)} documents)", []).append(total)
        shutil.rmtree(work / "cache", ignore_errors=True)
        rows.setdefault("docgen build, cold cache", []).append(
            timed([docgen, "build", "--input", str(pages), "--output", str(out)], env, work)
        )
        shutil.rmtree(out)
        rows.setdefault("docgen build, warm page cache, empty output", []).append(
            timed([docgen, "build", "--input", str(pages), "--output", str(out)], env, work)
        )
    # one changed page: check (regenerates in memory) against lint of that page and of all
    page = next(p for p in sorted(pages.rglob("*.md")) if "/api/" in p.as_posix())
    for run in range(args.runs):
        page.write_text(page.read_text(encoding="utf-8") + f"\n<!-- bench {run} -->\n", encoding="utf-8")
        rows.setdefault("docgen check, one page changed", []).append(
            timed([docgen, "check", "--quiet", "--input", str(pages), "--output", str(work / "client-0")], env, work)
        )
        rows.setdefault("docgen lint PAGE (that page, linked against all)", []).append(
            timed([docgen, "lint", "--input", str(pages), str(page)], env, work)
        )
        rows.setdefault("docgen lint (every page)", []).append(timed([docgen, "lint", str(pages)], env, work))
    print(f"{docs} ({sum(1 for _ in pages.rglob('*.md'))} pages), median of {args.runs} runs:")
    for name, values in rows.items():
        print(f"  {statistics.median(values):7.2f} s  {name}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
