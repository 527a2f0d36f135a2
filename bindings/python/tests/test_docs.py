"""The Python examples of the docs run: every ```python block of
`docs/python.md` and of this package's README, in a folder holding the
shipped `rules/` and the docs' examples (`hubspot.gate`, ...).

A line (or the last line of a statement) ending in `# => VALUE` asserts
that the expression equals VALUE; text after VALUE following a `: ` is a
remark. Every such line must run: an assertion inside an `except` that is
never reached fails too."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT

PAGES = [ROOT / "docs" / "python.md", ROOT / "bindings" / "python" / "README.md"]


def blocks() -> list[tuple[str, str]]:
    """(page:line, code) of every ```python block of the pages."""
    found = []
    for page in PAGES:
        lines = page.read_text(encoding="utf-8").splitlines()
        start = None
        for number, line in enumerate(lines, 1):
            if start is None and re.fullmatch(r"```python\s*", line):
                start = number
            elif start is not None and line.startswith("```"):
                code = "\n".join(lines[start:number - 1])
                found.append((f"{page.relative_to(ROOT)}:{start}", code))
                start = None
    return found


def expectation(value: str, namespace: dict[str, Any]) -> Any:
    """VALUE of `# => VALUE[: remark]`, evaluated."""
    cuts = [len(value)] + [m.start() for m in re.finditer(r": ", value)][::-1]
    for cut in cuts:
        try:
            return eval(value[:cut], namespace)  # noqa: S307 - the docs' own literals
        except SyntaxError:
            continue
    raise SyntaxError(f"can't read the expected value `{value}`")


class Expect(ast.NodeTransformer):
    """Turns `EXPR  # => VALUE` into `__expect(LINE, EXPR)`."""

    def __init__(self, marks: dict[int, str]) -> None:
        self.marks = marks

    def visit_Expr(self, node: ast.Expr) -> ast.AST:
        line = node.end_lineno or node.lineno
        if line not in self.marks:
            return node
        call = ast.Call(
            func=ast.Name(id="__expect", ctx=ast.Load()),
            args=[ast.Constant(value=line), node.value],
            keywords=[],
        )
        return ast.copy_location(ast.Expr(value=call), node)


@pytest.mark.parametrize("place,code", blocks(), ids=[place for place, _ in blocks()])
def test_the_docs_example_runs_and_says_true(
    place: str, code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    shutil.copytree(ROOT / "docs" / "examples", tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)

    marks: dict[int, str] = {}
    for number, line in enumerate(code.splitlines(), 1):
        if "# => " in line:
            marks[number] = line.split("# => ", 1)[1]
    tree = ast.fix_missing_locations(Expect(marks).visit(ast.parse(code)))
    namespace: dict[str, Any] = {}
    seen: list[int] = []

    def expect(line: int, actual: Any) -> None:
        seen.append(line)
        wanted = expectation(marks[line], namespace)
        assert actual == wanted, f"{place}, line {line} of the block: {actual!r} != {wanted!r}"

    namespace["__expect"] = expect
    exec(compile(tree, place, "exec"), namespace)  # noqa: S102 - the docs' own code
    missed = sorted(set(marks) - set(seen))
    assert not missed, f"{place}: lines {missed} of the block never ran"


def test_the_pages_have_examples() -> None:
    assert len(blocks()) >= 5
