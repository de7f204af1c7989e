"""How many documented examples become passing tests, and how short the method names are.

Builds a doc set (default: ../shared/corpus) into a temporary folder (or `--output`), runs the
generated tests, and prints, over every documented request/response pair (placeholder URLs,
non-JSON bodies and examples without a response included: the denominator is all of them):

- documented / tested / passing, and the examples not tested counted by reason (the build
  summary's reasons: one per skipped example, from `validate`'s `SkipReason`);
- the share of generated methods whose name has at most four words (`_`-separated parts), over
  every method of the build (each sync method of the resource classes counted once: `get` of
  `graph.users.get`), and the longest names; then the same for the clients' accessors
  (`graph.users`), reported apart.

    python benchmarks/coverage.py [DOCS] [--output DIR] [--long N]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build(docs: Path, out: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "docgen", "build", "--input", str(docs), "--output", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if done.returncode not in (0, 1):
        sys.exit(done.stderr[-3000:])
    return done.stdout


def skipped_by_reason(summary: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for line in summary.splitlines():
        if line.startswith("examples not tested: "):
            for part in line.removeprefix("examples not tested: ").split("; "):
                count, _, reason = part.partition(" ")
                found[reason] += int(count)
    return found


def run_tests(out: Path) -> tuple[set[str], set[str], Counter[str]]:
    """The documented examples (module::test name, both runs collapsed, the offline mock's
    `_mock` twin counted with its example) whose tests all passed and those with a failure,
    and the other generated tests (`_usage`, `_error`) by outcome."""
    report = out / ".coverage-junit.xml"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}", str(out / "tests")],
        capture_output=True,
        text=True,
        cwd=out,
    )
    passed: set[str] = set()
    failed: set[str] = set()
    others: Counter[str] = Counter()
    for case in ET.parse(report).getroot().iter("testcase"):
        name = re.sub(r"\[.*\]$", "", case.get("name", ""))
        bad = any(child.tag in ("failure", "error") for child in case)
        if name.endswith(("_error", "_usage")):
            others["failing" if bad else "passing"] += 1
            continue
        key = f"{case.get('classname')}::{name.removesuffix('_mock')}"
        (failed if bad else passed).add(key)
    report.unlink()
    return passed - failed, failed, others


def method_names(out: Path) -> list[str]:
    """The name of every sync method of the resource classes (`graph.users.get` counts `get`)."""
    names = []
    for path in sorted(out.glob("**/operations/*.py")):
        text = path.read_text(encoding="utf-8")
        # async methods are `async def`: not counted twice; `__init__` is no method of the API
        names += [n for n in re.findall(r"\n    def (\w+)\(", text) if n != "__init__"]
    return names


def accessor_names(out: Path) -> list[str]:
    """The resource groups' accessors of the sync clients (`graph.users`), once each."""
    names = []
    for path in sorted(out.glob("**/client.py")):
        text = path.read_text(encoding="utf-8").split("\nclass AsyncGraphClient")[0]
        names += re.findall(r"\n    @property\n    def (\w+)\(self\)", text)
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("docs", nargs="?", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--long", type=int, default=15, help="how many of the longest names to list")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.output or Path(tmp) / "out"
        summary = build(args.docs, out)
        match = re.search(r"examples: (\d+) documented", summary)
        tests = re.search(r"(\d+) example tests", summary)
        if not match or not tests:
            sys.exit("no summary:\n" + summary)
        documented, tested = int(match.group(1)), int(tests.group(1))
        passed, failed, others = run_tests(out)
        reasons = skipped_by_reason(summary)
        names = method_names(out)
        accessors = accessor_names(out)
    print(f"examples: {documented} documented (the denominator: every request/response pair)")
    print(f"  tested:  {tested} ({100.0 * tested / documented:.1f}%)")
    print(f"  passing: {len(passed)} ({100.0 * len(passed) / documented:.1f}%), failing: {len(failed)}")
    for name in sorted(failed):
        print(f"    FAILED {name}")
    print(
        f"  other generated tests (usage snippets, error paths; sync and async): {others['passing']} passing, {others['failing']} failing"
    )
    print(f"  not tested: {sum(reasons.values())}")
    for reason, count in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"    {count:4d} {reason}")
    short = sum(1 for n in names if len(n.split("_")) <= 4)
    share = 100.0 * short / len(names) if names else 100.0
    print(f"method names: {short} of {len(names)} have at most four words ({share:.1f}%)")
    for name in sorted(names, key=lambda n: (-len(n.split("_")), n))[: args.long]:
        print(f"    {name}")
    # the accessors are reported apart: what the acceptance counts is the methods' names
    short = sum(1 for n in accessors if len(n.split("_")) <= 4)
    share = 100.0 * short / len(accessors) if accessors else 100.0
    print(f"accessor names (graph.<group>): {short} of {len(accessors)} have at most four words ({share:.1f}%)")
    for name in sorted(accessors, key=lambda n: (-len(n.split("_")), n))[: args.long]:
        if len(name.split("_")) > 4:
            print(f"    {name}")


if __name__ == "__main__":
    main()
