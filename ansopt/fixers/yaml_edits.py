"""Edit builders for YAML files: each returns the text `Edit`s and the data `Change`s.

They never decide whether something is wrong (rules do); they turn a decision into the
smallest byte-exact edit, with indentation, quoting and line breaks copied from the
neighbouring text. A builder returns None when it cannot make a faithful edit (a flow
mapping, an anchored node, a comment it would have to drop): the rule then reports the
finding without a fix.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..diagnostics import Change, Edit, Span
from ..source.scalars import scalar_value
from ..source.yamlfile import YAlias, YamlFile, YMap, YNode, YScalar, YSeq

# --------------------------------------------------------------------------- paths


def data_path(file: YamlFile, node: YNode) -> tuple[Any, ...] | None:
    """The path of `node` in `file.data()`: (document index, key or index, ...)."""
    path: list[Any] = []
    cur = node
    while cur.parent is not None:
        parent = cur.parent
        if isinstance(parent, YMap):
            for k, v in parent.pairs:
                if v is cur:
                    path.append(k.to_data())
                    break
            else:
                return None
        elif isinstance(parent, YSeq):
            for i, item in enumerate(parent.items):
                if item is cur:
                    path.append(i)
                    break
            else:
                return None
        cur = parent
    for i, doc in enumerate(file.docs):
        if doc.root is cur:
            path.append(i)
            return tuple(reversed(path))
    return None


def under_anchor(node: YNode) -> bool:
    """True when the node or one of its ancestors carries an anchor (edits would show up
    wherever that anchor is aliased) or the node itself is an alias."""
    cur: YNode | None = node
    while cur is not None:
        if cur.anchor or isinstance(cur, YAlias):
            return True
        cur = cur.parent
    return False


def _contains_alias_or_anchor(node: YNode) -> bool:
    return any(n.anchor or isinstance(n, YAlias) for n in node.walk())


# --------------------------------------------------------------------------- text helpers


def col(file: YamlFile, offset: int) -> int:
    return file.indent_of(offset)


def starts_line(file: YamlFile, offset: int) -> bool:
    """True when only whitespace precedes `offset` on its line."""
    ln = file.lines.line_of(offset)
    return file.text[file.lines.line_start(ln) : offset].strip() == ""


def end_of_line(file: YamlFile, offset: int) -> int:
    """Offset just after the line break of the line holding `offset` (or end of text)."""
    return file.lines.next_line_start(offset)


def indent_unit(file: YamlFile, mapping: YMap | None = None) -> int:
    """The file's indentation step: from a nested block mapping if there is one, else 2."""
    nodes: list[YNode] = [mapping] if mapping is not None else []
    nodes += [d.root for d in file.docs]
    for top in nodes:
        for n in top.walk():
            if isinstance(n, YMap) and not n.flow and isinstance(n.parent, YMap) and not n.parent.flow:
                step = col(file, n.start) - col(file, n.parent.start)
                if 1 < step <= 8:
                    return step
    return 2


def quote_char(file: YamlFile) -> str:
    """Which quote the file prefers around Jinja expressions."""
    return "'" if file.text.count("'{{") > file.text.count('"{{') else '"'


_PLAIN_OK = re.compile(r"[A-Za-z0-9_./][A-Za-z0-9_./@+=,()\- ]*\Z")


def scalar_text(value: Any, quote: str = '"') -> str:
    """YAML text for a scalar that reads back as exactly `value` (YAML 1.1, as Ansible)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        if value and _PLAIN_OK.match(value) and not value.endswith(" ") and scalar_value(value, None, True)[0] == value:
            return value
        return _quoted(value, quote)
    if isinstance(value, list):
        items = [scalar_text(v, quote) for v in value]
        if any(i[:1] in "'\"" for i in items):  # quote every string alike once one needs it
            items = [_quoted(v, quote) if isinstance(v, str) else i for v, i in zip(value, items)]
        return "[" + ", ".join(items) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar_text(k, quote)}: {scalar_text(v, quote)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as YAML")


def _quoted(value: str, quote: str) -> str:
    if quote == "'" and "\n" not in value and all(c.isprintable() for c in value):
        return "'" + value.replace("'", "''") + "'"
    return json.dumps(value, ensure_ascii=False)


def reindent(file: YamlFile, start: int, end: int, delta: int) -> str | None:
    """The text [start, end) with every line after the first shifted by `delta` columns.

    None when a line has fewer leading spaces than a negative shift would remove.
    """
    text = file.text[start:end]
    if delta == 0 or "\n" not in text and "\r" not in text:
        return text
    lines = re.split(r"(\r\n|\r|\n)", text)
    out = [lines[0]]
    for i in range(1, len(lines), 2):
        brk, line = lines[i], lines[i + 1]
        if line.strip() == "":
            out.append(brk + line)
            continue
        if delta > 0:
            out.append(brk + " " * delta + line)
        else:
            lead = len(line) - len(line.lstrip(" "))
            if lead < -delta:
                return None
            out.append(brk + line[-delta:])
    return "".join(out)


# --------------------------------------------------------------------------- builders


def has_comment(file: YamlFile, start: int, end: int, node: YNode | None = None) -> bool:
    """Is there a YAML comment in the text [start, end)? (A `#` inside a scalar of `node`,
    default the document there, is not one.) Builders decline to replace or delete text that
    holds a comment: the verifier would refuse a fix that loses one."""
    if "#" not in file.text[start:end]:
        return False
    if node is None:
        node = next((d.root for d in file.docs if d.root.start <= start <= d.root.end), None)
    return bool(comments_in(file, start, end, node))


def _keeps_trailing_lines(file: YamlFile, node: YNode) -> bool:
    """A block scalar with `+` chomping (`|+`, `>2+`) owns the blank lines after it."""
    if not isinstance(node, YScalar) or node.style not in ("|", ">"):
        return False
    line = file.lines.line_text(file.lines.line_of(node.start))[file.indent_of(node.start) :]
    m = re.search(r"[|>]([0-9+\-]*)\s*(?:#.*)?$", line)
    return bool(m and "+" in m.group(1))


def key_colon_end(file: YamlFile, key: YNode) -> int | None:
    """Offset just after the `:` that follows a block mapping key."""
    i = key.end
    text = file.text
    while i < len(text) and text[i] in " \t":
        i += 1
    if i < len(text) and text[i] == ":":
        return i + 1
    return None


def replace_value(file: YamlFile, mapping: YMap, key: Any, new_text: str) -> Edit | None:
    """Replace the value of `key` with `new_text`, which either starts with a line break
    (a block value) or is inline text (written after one space)."""
    pair = mapping.pair(key)
    if pair is None or mapping.flow:
        return None
    k, v = pair
    if v.anchor or isinstance(v, YAlias) or _contains_alias_or_anchor(v):
        return None
    colon = key_colon_end(file, k)
    if colon is None:
        return None
    if v.end <= colon and not (isinstance(v, YScalar) and v.value is None):
        return None
    end = max(v.end, colon)
    between = file.text[colon : v.start] if v.start >= colon else ""
    if "#" in between:
        return None  # a comment between the key and its value
    if has_comment(file, colon, end, mapping):
        return None  # the value holds a comment (between list items, say)
    if new_text.startswith(("\n", "\r")):
        return Edit(Span(colon, end), new_text)
    return Edit(Span(colon, end), " " + new_text)


def delete_key(file: YamlFile, mapping: YMap, key: Any, moved: YNode | None = None) -> Edit | None:
    """Remove `key: value` and its lines from a block mapping. None when a comment on those
    lines would go with them, except comments inside `moved` (a value the caller copies
    elsewhere, comments included)."""
    pair = mapping.pair(key)
    if pair is None or mapping.flow or len(mapping.pairs) < 2:
        return None
    k, v = pair
    idx = next(i for i, p in enumerate(mapping.pairs) if p[0] is k)
    line_end = end_of_line(file, max(v.end, k.end))
    # anything but a comment after the value on its last line means we cannot take the line
    rest = file.text[max(v.end, k.end) : line_end].strip()
    if rest and not rest.startswith("#"):
        return None
    if moved is None:
        if has_comment(file, k.start, line_end, mapping):
            return None  # a comment on the entry's lines would go with it
    elif has_comment(file, k.start, moved.start, mapping) or has_comment(file, moved.end, line_end, mapping):
        return None
    if starts_line(file, k.start):
        ln = file.lines.line_of(k.start)
        return Edit(Span(file.lines.line_start(ln), line_end), "")
    # `- key: value` as the first entry of a sequence item: pull the next key up.
    if idx + 1 >= len(mapping.pairs):
        return None
    nk = mapping.pairs[idx + 1][0]
    if not starts_line(file, nk.start):
        return None
    if "#" in file.text[line_end : nk.start]:
        return None
    if col(file, nk.start) != col(file, k.start):
        return None
    return Edit(Span(k.start, nk.start), "")


def insert_key(file: YamlFile, mapping: YMap, key: str, value_text: str, after: Any = None) -> Edit | None:
    """Add `key: value_text` as a new entry of a block mapping, after the entry `after`
    (default: the last entry). `value_text` is inline text or starts with a line break."""
    if mapping.flow or not mapping.pairs:
        return None
    if after is None:
        k, v = mapping.pairs[-1]
    else:
        pair = mapping.pair(after)
        if pair is None:
            return None
        k, v = pair
    if _keeps_trailing_lines(file, v):
        return None  # `|+` keeps its trailing blank lines: a line inserted after it would change the value
    indent = " " * col(file, mapping.pairs[0][0].start)
    if not starts_line(file, mapping.pairs[0][0].start) and not file.text[
        file.lines.line_start(file.lines.line_of(mapping.pairs[0][0].start)) : mapping.pairs[0][0].start
    ].strip().startswith("-"):
        return None
    nl = file.lines.newline
    pos = end_of_line(file, max(v.end, k.end))
    rest = file.text[max(v.end, k.end) : pos].strip()
    if rest and not rest.startswith("#"):
        return None
    sep = "" if value_text.startswith(("\n", "\r")) else " "
    entry = f"{indent}{key}:{sep}{value_text}"
    if pos == len(file.text) and not file.text.endswith(("\n", "\r")):
        return Edit(Span(pos, pos), nl + entry)
    return Edit(Span(pos, pos), entry + nl)


def ends_in_kept_block_scalar(file: YamlFile, node: YNode) -> bool:
    """Does the text of `node` end in a block scalar with keep chomping (`|+`, `>+`)? That
    scalar owns the blank lines after it: a line inserted there would change its value."""
    last = node
    while True:
        if isinstance(last, YMap) and last.pairs and not last.flow:
            last = last.pairs[-1][1]
        elif isinstance(last, YSeq) and last.items and not last.flow:
            last = last.items[-1]
        else:
            break
    if not isinstance(last, YScalar) or last.style not in ("|", ">"):
        return False
    header = file.text[last.start : end_of_line(file, last.start)]
    return "+" in header.split("#", 1)[0]


def insert_keys(
    file: YamlFile, mapping: YMap, pairs: list[tuple[str, Any]], after: Any
) -> tuple[Edit, list[Change]] | None:
    """Add several `key: value` entries (scalar values, in the file's quote style) to a
    block mapping in one edit, in order, right after the entry `after`."""
    if not pairs or mapping.flow or under_anchor(mapping):
        return None
    prev = mapping.get(after)
    if prev is None or ends_in_kept_block_scalar(file, prev):
        return None
    path = data_path(file, mapping)
    if path is None or not mapping.pairs:
        return None
    q = quote_char(file)
    nl = file.lines.newline
    indent = " " * col(file, mapping.pairs[0][0].start)
    (key, value), rest = pairs[0], pairs[1:]
    text = scalar_text(value, q) + "".join(f"{nl}{indent}{k}: {scalar_text(v, q)}" for k, v in rest)
    edit = insert_key(file, mapping, key, text, after=after)
    if edit is None:
        return None
    return edit, [Change("set", (*path, k), v) for k, v in pairs]


def block_seq_for(file: YamlFile, seq: YSeq, key_col: int, model_key_col: int) -> str | None:
    """Text for the block sequence `seq` moved under a key at column `key_col`, keeping
    its items, comments and the offset its dashes had from their original key."""
    if seq.flow or not seq.items:
        return None
    first_dash = seq.start
    if not starts_line(file, first_dash):
        return None
    offset = col(file, first_dash) - model_key_col
    if offset < 0:
        return None
    new_col = key_col + offset
    body = reindent(file, first_dash, seq.end, new_col - col(file, first_dash))
    if body is None:
        return None
    return file.lines.newline + " " * new_col + body


def set_changes(file: YamlFile, node: YNode, value: Any) -> Change | None:
    path = data_path(file, node)
    return None if path is None else Change("set", path, value)


def delete_change(file: YamlFile, mapping: YMap, key: Any) -> Change | None:
    path = data_path(file, mapping)
    return None if path is None else Change("delete", (*path, key))


def set_key(
    file: YamlFile, mapping: YMap, key: str, value: Any, after: tuple[str, ...] = ()
) -> tuple[Edit, Change] | None:
    """Set `key: value` in a block mapping: replace the value in place when the key exists,
    else add the entry after the first of `after` present (default: after the last entry)."""
    if mapping.flow or under_anchor(mapping):
        return None
    text = scalar_text(value, quote_char(file))
    if key in mapping:
        e = replace_value(file, mapping, key, text)
        ch = set_changes(file, mapping.get(key), value)
    else:
        anchor = next((a for a in after if a in mapping), None)
        e = insert_key(file, mapping, key, text, after=anchor)
        path = data_path(file, mapping)
        ch = None if path is None else Change("set", (*path, key), value)
    if e is None or ch is None:
        return None
    return e, ch


# --------------------------------------------------------------------------- sequence items


def comments_in(file, start: int, end: int, node=None) -> list[tuple[int, str]]:
    """YAML comments in the text [start, end): (offset of the `#`, comment text without
    trailing blanks). A `#` inside a scalar of `node` (keys included) is not a comment."""
    spans = []
    if node is not None:
        spans = [(n.start, n.end) for n in node.walk() if n.kind == "scalar"]
    text = file.text
    out = []
    pos = start
    while pos < end:
        nxt = file.lines.next_line_start(pos)
        line_end = min(nxt, end)
        i = pos
        while True:
            i = text.find("#", i, line_end)
            if i < 0:
                break
            inside = any(s <= i < e for s, e in spans)
            if not inside and (i == file.lines.line_start(file.lines.line_of(i)) or text[i - 1] in " \t"):
                out.append((i, text[i:line_end].rstrip()))
                break
            i += 1
        if nxt <= pos:
            break
        pos = nxt
    return out


def seq_item_lines(file, seq, index: int):
    """The lines of item `index` of a block sequence, from the end of the previous item's
    last line (so blank and comment lines above the item come with it; for the first item,
    from its own line) to the end of its last line. None when the item shares a line with
    something else (flow style, a comment-less trailing value) or is not a block item."""
    if seq.flow or not (0 <= index < len(seq.items)):
        return None
    item = seq.items[index]
    end = end_of_line(file, item.end)
    if file.text[item.end : end].strip() and not file.text[item.end : end].strip().startswith("#"):
        return None
    if index == 0:
        start = file.lines.line_start(file.lines.line_of(seq.start))
    else:
        prev = seq.items[index - 1]
        start = end_of_line(file, prev.end)
        rest = file.text[prev.end : start].strip()
        if rest and not rest.startswith("#"):
            return None
    # between `start` and the item: blank lines, comment lines, then the item's dash
    lead = "".join(
        line for line in re.split(r"(?<=\n)", file.text[start : item.start]) if not line.strip().startswith("#")
    )
    if not re.fullmatch(r"\s*-\s*", lead):
        return None
    return start, end


def delete_seq_items(file, seq, first: int, last: int):
    """(Edit, [Change]) removing items first..last (inclusive) of a block sequence with
    their lines, comment lines above each of them included; None when that cannot be done
    byte-exactly. A sequence never becomes empty this way (callers keep one item)."""
    if first < 1 or last < first or last >= len(seq.items) or under_anchor(seq):
        return None
    a = seq_item_lines(file, seq, first)
    b = seq_item_lines(file, seq, last)
    if a is None or b is None:
        return None
    changes = []
    for i in range(first, last + 1):
        if seq_item_lines(file, seq, i) is None:
            return None
        path = data_path(file, seq.items[i])
        if path is None:
            return None
        changes.append(Change("delete", path))
    return Edit(Span(a[0], b[1]), ""), changes


# --------------------------------------------------------------------------- keys and scalars


def rename_key(file: YamlFile, mapping: YMap, old: str, new: str) -> tuple[Edit, tuple[Change, Change]] | None:
    """Rename a plain block-mapping key in place (its value untouched)."""
    key = mapping.key_node(old)
    path = data_path(file, mapping)
    if not isinstance(key, YScalar) or key.style != "" or path is None or under_anchor(mapping) or new in mapping:
        return None
    value = mapping.get(old)
    data = value.to_data() if value is not None else None
    return Edit(Span(key.start, key.end), new), (Change("delete", (*path, old)), Change("set", (*path, new), data))


def replace_scalar(file: YamlFile, node: YNode, value: str) -> tuple[Edit, Change] | None:
    """Replace a one-line plain or quoted string scalar, keeping its quoting style."""
    if not isinstance(node, YScalar) or node.style not in ("", "'", '"') or node.anchor or under_anchor(node):
        return None
    q = node.style
    text = f"{q}{value}{q}" if q else scalar_text(value)
    if q == "'" and "'" in value or q == '"' and ('"' in value or "\\" in value):
        return None
    if scalar_value(text.strip(q), None, not q)[0] != value and not q:
        return None
    change = set_changes(file, node, value)
    if change is None:
        return None
    return Edit(Span(node.start, node.end), text), change


def file_comments(file: YamlFile) -> list[tuple[int, str]]:
    """Every YAML comment of a file: (offset of the `#`, the comment to the end of its line).
    A `#` inside a scalar of any document is not one."""
    import bisect

    text = file.text
    spans = sorted((n.start, n.end) for d in file.docs for n in d.root.walk() if n.kind == "scalar")
    starts = [s for s, _ in spans]
    out = []
    i = text.find("#")
    while i >= 0:
        k = bisect.bisect_right(starts, i) - 1
        inside = k >= 0 and spans[k][0] <= i < spans[k][1]
        if not inside and (i == 0 or text[i - 1] in " \t\r\n"):
            end = text.find("\n", i)
            end = len(text) if end < 0 else end
            out.append((i, text[i:end].rstrip("\r")))
            i = text.find("#", end)
            continue
        i = text.find("#", i + 1)
    return out
