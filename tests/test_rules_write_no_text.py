"""Rules decide, fixers write: no module under ansopt/rules/ builds an edit itself.

Checked on the source: a rule module imports neither `Edit` nor `Span` (rules/__init__.py,
the rule context that places findings, may use `Span`), never reads the file's line-break
style, and calls only the fixers' data-level builders (those that take values, not text)."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import ansopt.rules

RULES = Path(ansopt.rules.__file__).parent
FIXER_MODULES = {"yaml_edits", "cfg_edits", "task_edits"}
# text-level helpers: they take or return YAML/INI text, or the columns to compose it
TEXT_LEVEL = {
    "scalar_text",
    "reindent",
    "block_seq_for",
    "insert_key",
    "indent_unit",
    "quote_char",
    "col",
    "starts_line",
    "end_of_line",
    "key_colon_end",
    "comments_in",
    "seq_item_lines",
    "delete_seq_items",
    "args_as_mapping",
    "apply_edits",
}
TEXT_PARAMS = {"text", "new_text", "value_text", "replacement"}


def problems(source: str, name: str) -> list[str]:
    """What in a rule module's source writes text for a fix."""
    out: list[str] = []
    tree = ast.parse(source)
    fixer_aliases: dict[str, str] = {}  # local name -> fixers module
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            for a in node.names:
                local = a.asname or a.name
                if a.name in ("Edit", "Span") and not (a.name == "Span" and name == "__init__"):
                    out.append(f"imports {a.name}")
                if a.name in FIXER_MODULES:
                    fixer_aliases[local] = a.name
                if mod.split(".")[-1] in FIXER_MODULES or mod.endswith("fixers"):
                    if a.name in TEXT_LEVEL:
                        out.append(f"imports the text-level helper {a.name}")
        elif isinstance(node, ast.Attribute):
            if node.attr == "newline":
                out.append("reads the file's line-break style")
            if isinstance(node.value, ast.Name) and node.value.id in fixer_aliases:
                if node.attr in TEXT_LEVEL or (
                    fixer_aliases[node.value.id] == "yaml_edits" and node.attr == "replace_value"
                ):
                    out.append(f"calls {fixer_aliases[node.value.id]}.{node.attr}")
                else:
                    fn = getattr(importlib.import_module(f"ansopt.fixers.{fixer_aliases[node.value.id]}"), node.attr)
                    if callable(fn) and not inspect.isclass(fn):
                        taken = TEXT_PARAMS & set(inspect.signature(fn).parameters)
                        if taken:
                            out.append(f"calls {node.attr}, which takes text ({', '.join(sorted(taken))})")
    return out


def test_no_rule_writes_text():
    found = {}
    for path in sorted(RULES.glob("*.py")):
        p = problems(path.read_text(encoding="utf-8"), path.stem)
        if p:
            found[path.name] = p
    assert found == {}


def test_the_check_can_fail():
    bad = (
        "from ..diagnostics import Edit, Fix\n"
        "from ..fixers import yaml_edits, cfg_edits\n"
        "def f(file, m):\n"
        "    nl = file.lines.newline\n"
        "    yaml_edits.replace_value(file, m, 'k', nl + 'x')\n"
        "    yaml_edits.scalar_text(1)\n"
        "    cfg_edits.set_option(file, 's', 'k', 'v')\n"
    )
    assert problems(bad, "c999_x") == [
        "imports Edit",
        "reads the file's line-break style",
        "calls yaml_edits.replace_value",
        "calls yaml_edits.scalar_text",
    ]
    assert problems("from ..diagnostics import Span\n", "__init__") == []
    assert problems("from ..diagnostics import Span\n", "p999_x") == ["imports Span"]
