"""Edit builders for whole tasks: free-form arguments rewritten as a mapping, a loop folded
into the package module's name list, package tasks merged into one, a word appended to
free-form arguments.

Like every builder they decide nothing about whether the change is wanted (the rule has
decided that); they say when the text cannot be rewritten faithfully: `Refusal(reason)`
with a reason the rule can show in the finding's help, or `Refusal()` with none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..diagnostics import Change, Edit, Span
from ..model.tasks import Task, parse_kv
from ..source.yamlfile import YamlFile, YMap, YNode, YScalar, YSeq
from . import Edits, Refusal, combine, yaml_edits

# --------------------------------------------------------------------------- free-form arguments


def args_as_mapping(
    task: Task, args: dict[str, Any], blocks: Mapping[str, Callable[[int], str | None]]
) -> tuple[Edit, Change] | None:
    """The task's free-form arguments (`apt: name=git state=present`) rewritten as a block
    mapping under its module key, one line per entry of `args` (the new argument values, in
    order). A string value is written as a scalar in the file's quote style; for a key in
    `blocks`, the text after `key:` is `blocks[key](column of the keys)` (a block value the
    caller composes for that column; None: no edit). The change declares `args`."""
    file = task.file
    if task.module_key is None:
        return None
    unit = yaml_edits.indent_unit(file, task.node)
    key_col = yaml_edits.col(file, task.module_key.start) + unit
    q = yaml_edits.quote_char(file)
    lines = []
    for k, v in args.items():
        if k in blocks:
            text = blocks[k](key_col)
            if text is None:
                return None
            lines.append(" " * key_col + f"{k}:" + text)
        else:
            lines.append(" " * key_col + f"{yaml_edits.scalar_text(k, q)}: {yaml_edits.scalar_text(v, q)}")
    nl = file.lines.newline
    e = yaml_edits.replace_value(file, task.node, task.module_key.to_data(), nl + nl.join(lines))
    path = yaml_edits.data_path(file, task.args_node) if task.args_node is not None else None
    if e is None or path is None:
        return None
    return e, Change("set", path, args)


def append_free_form_arg(task: Task, node: YScalar, key: str, value: str) -> Edits | Refusal:
    """Append `key=value` to a task's one-line free-form arguments (`apt: update_cache=yes`
    -> `apt: update_cache=yes cache_valid_time=3600`), when ansible-core's `parse_kv` reads
    the new text as the old arguments plus exactly that one."""
    file = task.file
    if node.anchor or node.style not in ("", "'", '"'):
        return Refusal("block-scalar arguments")
    text = file.text[node.start : node.end]
    if "\n" in text or "\r" in text:
        return Refusal("multi-line free-form arguments")
    if node.value != node.value.rstrip():
        return Refusal()
    extra = f" {key}={value}"
    new_value = node.value + extra
    old_kv = parse_kv(node.value)
    new_kv = parse_kv(new_value)
    if "_raw_params" in old_kv and old_kv.get("_raw_params") != new_kv.get("_raw_params"):
        return Refusal()
    if new_kv != {**old_kv, key: value}:
        return Refusal()
    at = node.end if node.style == "" else node.end - 1
    path = yaml_edits.data_path(file, node)
    if path is None:
        return Refusal()
    return Edits((Edit.insertion(at, extra),), (Change("set", path, new_value),))


# --------------------------------------------------------------------------- a loop folded into the name list


def _list_text(file: YamlFile, loop: YNode, loop_key_node: YNode, key_col: int) -> str | None:
    """Text for the loop's list as the value of a key at column `key_col`."""
    if isinstance(loop, YSeq) and not loop.flow:
        return yaml_edits.block_seq_for(file, loop, key_col, yaml_edits.col(file, loop_key_node.start))
    delta = key_col - yaml_edits.col(file, loop_key_node.start)
    text = yaml_edits.reindent(file, loop.start, loop.end, delta)
    return None if text is None else " " + text


def loop_into_argument(task: Task, name_key: str, name_node: YNode | None, free: bool, loop: YNode) -> Edits | Refusal:
    """The loop's list (`loop`: the list node, or the one templated item of a one-item list)
    given to the module's `name_key` argument, and the loop keys (`loop`/`with_items` and
    `loop_control`) removed. `free`: the arguments are free-form; else `name_node` is the
    `name_key` value of the mapping arguments."""
    file = task.file
    loop_key = task.loop_key
    loop_key_node = task.node.key_node(loop_key) if loop_key is not None else None
    if loop_key is None or loop_key_node is None:
        return Refusal()
    loop_data = loop.to_data()
    edits: list[Edit] = []
    changes: list[Change] = []
    if free:
        if task.module_key is None or task.module_key.to_data() in ("action", "local_action"):
            return Refusal("old-style `action:` arguments")
        args = task.args
        if "_raw_params" in args or any(not isinstance(v, str) for v in args.values()):
            return Refusal()
        new_args = dict(args)
        new_args[name_key] = loop_data
        made = args_as_mapping(
            task, new_args, {name_key: lambda key_col: _list_text(file, loop, loop_key_node, key_col)}
        )
        if made is None:
            return Refusal()
        edits.append(made[0])
        changes.append(made[1])
    else:
        args_node = task.args_node
        if name_node is None or yaml_edits.under_anchor(name_node) or not isinstance(args_node, YMap):
            return Refusal()
        name_key_node = args_node.key_node(name_key)
        if name_key_node is None:
            return Refusal()
        text = _list_text(file, loop, loop_key_node, yaml_edits.col(file, name_key_node.start))
        if text is None:
            return Refusal()
        e = yaml_edits.replace_value(
            file, args_node, name_key, text.lstrip(" ") if not text.startswith(("\n", "\r")) else text
        )
        ch = yaml_edits.set_changes(file, name_node, loop_data)
        if e is None or ch is None:
            return Refusal()
        edits.append(e)
        changes.append(ch)
    for key in (loop_key, "loop_control"):
        if key not in task.node:
            continue
        d = yaml_edits.delete_key(file, task.node, key, moved=task.loop_node if key == loop_key else None)
        dch = yaml_edits.delete_change(file, task.node, key)
        if d is None or dch is None:
            return Refusal(f"a comment on the `{key}:` lines would be lost")
        edits.append(d)
        changes.append(dch)
    return combine(edits, changes) or Refusal()


# --------------------------------------------------------------------------- package tasks merged


def _seq_offset(file: YamlFile) -> int:
    """How far the file indents a block sequence under its key (the most common offset)."""
    counts: dict[int, int] = {}
    for doc in file.docs:
        for n in doc.root.walk():
            if isinstance(n, YSeq) and not n.flow and n.items and isinstance(n.parent, YMap) and not n.parent.flow:
                key = next((k for k, v in n.parent.pairs if v is n), None)
                if key is None or not yaml_edits.starts_line(file, n.start):
                    continue
                off = yaml_edits.col(file, n.start) - yaml_edits.col(file, key.start)
                if 0 <= off <= 8:
                    counts[off] = counts.get(off, 0) + 1
    if counts:
        return max(sorted(counts), key=lambda o: counts[o])
    return yaml_edits.indent_unit(file)


def _one_line_scalar(file: YamlFile, node: YNode | None) -> str | None:
    """The source text of a single-line plain or quoted scalar, else None."""
    if not isinstance(node, YScalar) or node.anchor or node.tag and not node.tag.startswith("tag:yaml.org,2002:"):
        return None
    if node.style not in ("", "'", '"'):
        return None
    text = file.text[node.start : node.end]
    if "\n" in text or "\r" in text or not text:
        return None
    return text


def _name_items(
    file: YamlFile, task: Task, name_key: str, names: list[str], quote: str
) -> list[tuple[str, Any]] | None:
    """[(item text, node or None)] for a task's packages, in order."""
    node = task.args_node
    if isinstance(node, YMap):
        v = node.get(name_key)
        if isinstance(v, YScalar):
            t = _one_line_scalar(file, v)
            return None if t is None else [(t, v)]
        if isinstance(v, YSeq) and not v.flow:
            out = []
            for i in v.items:
                t = _one_line_scalar(file, i)
                if t is None:
                    return None
                out.append((t, i))
            return out
        return None
    if task.free_form is not None:
        return [(yaml_edits.scalar_text(n, quote), None) for n in names]
    return None


def _comment_lines(
    file: YamlFile, region: tuple[int, int], task: Task, inline_nodes
) -> tuple[list[str], dict[int, str]]:
    """Comments of a deleted task's region: full lines to move, and inline comments that
    follow one of its package scalars (by node id)."""
    lines: list[str] = []
    inline: dict[int, str] = {}
    for off, text in yaml_edits.comments_in(file, region[0], region[1], task.node):
        ln = file.lines.line_of(off)
        owner = next(
            (
                n
                for n in inline_nodes
                if n is not None and file.lines.line_of(n.end) == ln and file.text[n.end : off].strip() == ""
            ),
            None,
        )
        if owner is not None:
            inline[id(owner)] = text
        else:
            lines.append(text)
    return lines, inline


def merge_name_lists(seq: YSeq, idx: list[int], run: list[tuple[Task, str, list[str]]]) -> Edits | Refusal:
    """Merge package tasks: the tasks `run` (task, its name argument's key, its package
    names), the items `idx` of the task list `seq`, become the first one, whose `name_key`
    lists every package (free-form arguments turn into a mapping); the others are deleted,
    their comments moved along with their packages, each one's name as a comment above its
    packages (`# Install the monitoring tools`)."""
    first, name_key, _ = run[0]
    file = first.file
    q = yaml_edits.quote_char(file)
    items = []
    for c in run:
        it = _name_items(file, c[0], c[1], c[2], q)
        if it is None:
            return Refusal("a package name that is not a one-line scalar")
        items.append(it)
    nl = file.lines.newline
    offset = _seq_offset(file)
    edits: list[Edit] = []
    changes: list[Change] = []

    # the deleted tasks, with their comments
    deleted = yaml_edits.delete_seq_items(file, seq, idx[1], idx[-1])
    if deleted is None:
        return Refusal("the tasks share lines with other content")
    del_edit, del_changes = deleted
    moved: list[str] = []  # item and comment texts (without indentation) after the first task's
    for c, it, i in zip(run[1:], items[1:], idx[1:]):
        region = yaml_edits.seq_item_lines(file, seq, i)
        if region is None:
            return Refusal()
        full, inline = _comment_lines(file, region, c[0], [n for _, n in it])
        moved.extend(full)
        title = c[0].name
        if isinstance(title, str) and title.strip() and "\n" not in title and "\r" not in title:
            moved.append("# " + title.strip())  # the merged task's name, kept with its packages
        for text, node in it:
            moved.append("- " + text + (("  " + inline[id(node)]) if node is not None and id(node) in inline else ""))

    merged = [n for c in run for n in c[2]]
    node = first.args_node
    if isinstance(node, YMap):
        if node.flow or yaml_edits.under_anchor(node):
            return Refusal("flow-style arguments")
        key_node = node.key_node(name_key)
        value = node.get(name_key)
        if key_node is None or value is None or not yaml_edits.starts_line(file, key_node.start):
            return Refusal()
        colon = yaml_edits.key_colon_end(file, key_node)
        if colon is None:
            return Refusal()
        last_end = value.end
        if isinstance(value, YScalar):
            if file.text[colon : value.start].strip():
                return Refusal()  # a comment or tag between the key and its value
            dash_col = yaml_edits.col(file, key_node.start) + offset
            edits.append(Edit(Span(colon, value.start), nl + " " * dash_col + "- "))
        else:  # a block sequence already
            if not yaml_edits.starts_line(file, value.start):
                return Refusal()
            dash_col = yaml_edits.col(file, value.start)
        at = yaml_edits.end_of_line(file, last_end)
        rest = file.text[last_end:at].strip()
        if rest and not rest.startswith("#"):
            return Refusal()
        text = "".join(" " * dash_col + m + nl for m in moved)
        if at == len(file.text) and not file.text.endswith(("\n", "\r")):
            text = nl + text[: -len(nl)]
        edits.append(Edit(Span(at, at), text))
        path = yaml_edits.data_path(file, value)
        if path is None:
            return Refusal()
        changes.append(Change("set", path, merged))
    else:
        # free-form arguments: the first task's arguments become a mapping
        args = first.args
        if any(not isinstance(v, str) for v in args.values()):
            return Refusal()
        new_args = dict(args)
        new_args[name_key] = merged

        def name_list(key_col: int) -> str:
            dash = " " * (key_col + offset)
            return "".join(nl + dash + "- " + t for t, _ in items[0]) + "".join(nl + dash + m for m in moved)

        made = args_as_mapping(first, new_args, {name_key: name_list})
        if made is None:
            return Refusal("free-form arguments that cannot be rewritten")
        edits.append(made[0])
        changes.append(made[1])
    edits.append(del_edit)
    changes.extend(del_changes)
    return combine(edits, changes) or Refusal()
