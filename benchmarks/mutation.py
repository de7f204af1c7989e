"""Mutation check of the generated example tests: do they notice a wrong client?

Builds a doc set (default: ../shared/corpus) into a temporary folder, then, for a seeded sample
of example tests, applies one edit at a time to the generated client and runs that example's
sync test against it. A mutant is killed when the test fails. The kinds of edit:

- `path`: one literal path segment of the method's documented path gets a letter more;
- `method`: the HTTP method the method sends becomes another one;
- `response-key` / `request-key`: the wire name (alias) of one property the example's response
  (or request body) documents, in the model class that declares it;
- `return-type`: the model class the response is parsed into becomes the generic base model;
- `query`: one query option the example passes is no longer sent.

    python benchmarks/mutation.py [DOCS] [--sample N] [--seed S]

prints the kill rate per kind and overall, with the denominators, and lists the survivors.
"""

from __future__ import annotations

import argparse
import ast
import random
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")


@dataclass(frozen=True)
class Mutant:
    kind: str
    test: str  # pytest node id, relative to the build
    file: Path
    old: str  # the exact text replaced (its first occurrence in `file`)
    new: str
    where: str  # a short description for the survivors list


@dataclass(frozen=True)
class ExampleTest:
    module: Path
    name: str
    method: str
    request: object
    response: object
    kwargs: tuple[str, ...]
    url: str  # the URL the test expects


def example_tests(build: Path) -> list[ExampleTest]:
    found = []
    for module in sorted((build / "tests").glob("test_*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        consts: dict[str, object] = {}
        calls: dict[str, tuple[str, tuple[str, ...]]] = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                name = node.targets[0].id
                if re.fullmatch(r"(REQUEST|RESPONSE)_\d+", name):
                    try:
                        consts[name] = ast.literal_eval(node.value)
                    except ValueError:
                        consts[name] = None
            if isinstance(node, ast.FunctionDef) and node.name.startswith("_call_"):
                ret = node.body[-1]
                if isinstance(ret, ast.Return) and isinstance(ret.value, ast.Call):
                    func = ret.value.func
                    # `client.<accessor>.<method>(...)`: the method of one resource group
                    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Attribute):
                        calls[node.name.removeprefix("_call_")] = (
                            f"{func.value.attr}.{func.attr}",
                            tuple(k.arg for k in ret.value.keywords if k.arg),
                        )
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_") and not node.name.endswith("_error"):
                number = re.search(r"_call_(\d+)", ast.unparse(node))
                if number and number.group(1) in calls:
                    n = number.group(1)
                    method, kwargs = calls[n]
                    url = re.search(r"support\.check_request\(\s*seen,\s*'[A-Z]+',\s*'([^']*)'", ast.unparse(node))
                    request, response = consts.get(f"REQUEST_{n}"), consts.get(f"RESPONSE_{n}")
                    found.append(
                        ExampleTest(module, node.name, method, request, response, kwargs, url.group(1) if url else "")
                    )
    return found


def method_blocks(folder: Path, call: str) -> list[tuple[Path, str]]:
    """The source of the sync method `accessor.method` (the test runs the sync client), with its
    file: the client's accessor names the resource class and its module."""
    accessor, method = call.split(".")
    client = (folder / "client.py").read_text(encoding="utf-8")
    found = re.search(
        rf"\n    def {re.escape(accessor)}\(self\) -> (\w+):.*?from \.operations\.(\w+) import", client, re.DOTALL
    )
    if not found:
        return []
    resource, module = found.groups()
    path = folder / "operations" / f"{module}.py"
    text = path.read_text(encoding="utf-8")
    cls = re.search(rf"\nclass {resource}\b.*?(?=\nclass |\Z)", text, re.DOTALL)
    pattern = re.compile(rf"\n    def {re.escape(method)}\(.*?(?=\n    (?:async )?def |\nclass |\Z)", re.DOTALL)
    match = pattern.search(cls.group(0)) if cls else None
    return [(path, match.group(0))] if match else []


def model_file(test: ExampleTest, key: str, package: Path, version_folder: Path) -> Path | None:
    """The model module that declares `key`: the test's imported classes and their bases."""
    text = test.module.read_text(encoding="utf-8")
    modules = re.findall(r"^from [\w.]+\.models\.(\w+) import", text, re.MULTILINE)
    seen: set[str] = set()
    while modules:
        module = modules.pop(0)
        if module in seen:
            continue
        seen.add(module)
        path = version_folder / "models" / f"{module}.py"
        if not path.is_file():
            continue
        source = path.read_text(encoding="utf-8")
        if _declaration(key, source):
            return path
        base = re.search(r"^from \.(\w+) import \w+$", source, re.MULTILINE)
        if base:
            modules.append(base.group(1))
    return None


def _declaration(key: str, source: str) -> str | None:
    """The text that gives `key` its wire name in a model's source: `_rt.alias("key")`, or the
    whole `key: T = None` line of a field whose attribute is its wire name."""
    if f'_rt.alias("{key}")' in source:
        return f'_rt.alias("{key}")'
    line = re.search(rf"^    {re.escape(key)}: [^\n]* = None$", source, re.MULTILINE)
    return line.group(0) if line else None


def mutants_of(test: ExampleTest, build: Path, rng: random.Random) -> list[Mutant]:
    package = build / "graph_client"
    text = test.module.read_text(encoding="utf-8")
    version = re.search(r"^from (graph_client(?:\.\w+)?) import AsyncGraphClient", text, re.MULTILINE)
    folder = build / version.group(1).replace(".", "/") if version else package
    blocks = method_blocks(folder, test.method)
    node = f"{test.module.relative_to(build)}::{test.name}[sync]"
    out: list[Mutant] = []
    if not blocks:
        return out
    path, block = blocks[0]
    source = path.read_text(encoding="utf-8")
    const = re.search(r"self\._core\.call\(\s*\"[A-Z]+\",\s*(_PATHS_\w+)", block)
    if const:
        # mutate the documented path this example calls (the others are not its to notice)
        assigned = next(
            (
                item
                for item in ast.parse(source).body
                if isinstance(item, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == const.group(1) for t in item.targets)
            ),
            None,
        )
        constant = ast.get_source_segment(source, assigned) or "" if assigned else ""
        paths = ast.literal_eval(assigned.value) if assigned else ()
        used = [p for p in paths if all(part.lower() in test.url.lower() for part in p[0::2])]
        literals = [part for part in (used[-1][0::2] if used else ()) if re.search(r"[A-Za-z]", part)]
        if literals:
            literal = rng.choice(literals)
            segments = [s for s in literal.split("/") if re.search(r"[A-Za-z]", s)]
            segment = rng.choice(segments)
            mutated = literal.replace(segment, segment + "x", 1)
            # the whole constant is replaced: another method's constant may hold the same literal
            block_text = constant
            at = block_text.find(f'"{literal}"', block_text.find(f'"{used[-1][0]}"'))
            new = block_text[:at] + f'"{mutated}"' + block_text[at + len(literal) + 2 :]
            out.append(Mutant("path", node, path, constant, new, f"{const.group(1)}: {literal}"))
    http = re.search(r'self\._core\.call\(\s*"([A-Z]+)"', block)
    if http:
        other = rng.choice([m for m in METHODS if m != http.group(1)])
        old = http.group(0)
        out.append(Mutant("method", node, path, block, block.replace(old, old.replace(http.group(1), other), 1), other))
    parse = re.search(r"_rt\.(parse_model|Pager)\(\s*(?:self\._core,\s*)?response,\s*(\w+),?\s*\)", block)
    if parse:
        old = parse.group(0)
        new = old.replace(parse.group(2), "_rt.GraphModel")
        out.append(Mutant("return-type", node, path, block, block.replace(old, new, 1), parse.group(2)))
    # a query option goes to the runtime as `"$select": select,` in `options={...}`
    given = re.search(r"\n\s+options=\{\n.*?\n\s+\},", block, re.DOTALL)
    listed = given.group(0) if given else ""
    options = [k for k in test.kwargs if re.search(rf'^\s+"[^"]+": {k},$', listed, re.MULTILINE)]
    if options:
        option = rng.choice(options)
        changed = re.sub(rf'^(\s+"[^"]+": ){option},$', r"\1None,", listed, count=1, flags=re.MULTILINE)
        new = block.replace(listed, changed, 1)
        out.append(Mutant("query", node, path, block, new, option))
    version_folder = folder
    for kind, body in (("response-key", test.response), ("request-key", test.request)):
        if kind == "response-key" and isinstance(body, dict) and isinstance(body.get("value"), list):
            items = [i for i in body["value"] if isinstance(i, dict)]
            body = items[0] if items else None
        if not isinstance(body, dict):
            continue
        keys = [k for k in body if "@" not in k]
        rng.shuffle(keys)
        for key in keys:
            model = model_file(test, key, package, version_folder)
            if model is not None:
                old = _declaration(key, model.read_text(encoding="utf-8")) or ""
                new = (
                    old.replace(f'"{key}"', f'"{key}X"') if old.startswith("_rt.") else f'{old[:-4]}_rt.alias("{key}X")'
                )
                out.append(Mutant(kind, node, model, old, new, f"{model.name}: {key}"))
                break
    return out


def killed(mutant: Mutant, build: Path) -> bool:
    original = mutant.file.read_text(encoding="utf-8")
    assert mutant.old in original, mutant
    mutant.file.write_text(original.replace(mutant.old, mutant.new, 1), encoding="utf-8")
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", mutant.test],
            check=False,
            cwd=build,
            capture_output=True,
            text=True,
            timeout=120,
        )
        return result.returncode != 0
    finally:
        mutant.file.write_text(original, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("docs", nargs="?", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--sample", type=int, default=60, help="example tests sampled (each gives up to 6 mutants)")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="docgen-mutation-") as tmp:
        build = Path(tmp) / "out"
        subprocess.run(
            [sys.executable, "-m", "docgen", "build", "--input", args.docs, "--output", str(build)],
            check=True,
            capture_output=True,
        )
        tests = example_tests(build)
        sample = rng.sample(tests, min(args.sample, len(tests)))
        mutants = [m for t in sample for m in mutants_of(t, build, rng)]
        counts: dict[str, list[int]] = {}
        survivors = []
        for number, mutant in enumerate(mutants, 1):
            dead = killed(mutant, build)
            print(
                f"[{number}/{len(mutants)}] {'killed' if dead else 'SURVIVED'} {mutant.kind} {mutant.test}", flush=True
            )
            tally = counts.setdefault(mutant.kind, [0, 0])
            tally[0] += dead
            tally[1] += 1
            if not dead:
                survivors.append(mutant)
        print(f"{len(sample)} example tests sampled of {len(tests)}; {len(mutants)} mutants")
        for kind, (dead, total) in sorted(counts.items()):
            print(f"  {kind:13} {dead}/{total} killed")
        dead = sum(c[0] for c in counts.values())
        print(f"killed {dead}/{len(mutants)} ({100.0 * dead / max(len(mutants), 1):.1f}%)")
        for mutant in survivors:
            print(f"  survived: {mutant.kind} {mutant.test} ({mutant.where})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
