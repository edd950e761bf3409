"""INI inventories, read as ansible-core's `ini` inventory plugin reads them."""

from __future__ import annotations

import ast
import re
import warnings as _warnings
from collections.abc import Iterable
from typing import Any

from ..yamlfile import LineIndex
from .hosts import HostRangeError, expand_hostpattern
from .model import Inventory, VarPos

_SECTION_RX = re.compile(r"^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$")
_GROUPNAME_RX = re.compile(r"^([^:\]\s]+)\s*(?:#.*)?$")
_SHLEX_WS = " \t\r\n"


def shlex_tokens(line: str) -> list[tuple[str, int]]:
    """`shlex.split(line, comments=True)` with each token's start offset in `line`.
    Raises ValueError as shlex does ("No closing quotation", "No escaped character")."""
    out: list[tuple[str, int]] = []
    state = " "
    esc_from = " "
    token = ""
    quoted = False
    start = 0
    i, n = 0, len(line)
    while True:
        ch = line[i] if i < n else ""
        pos = i
        i += 1
        if state == " ":
            if not ch or ch == "#":
                break
            if ch in _SHLEX_WS:
                continue
            start = pos
            if ch == "\\":
                esc_from, state = "a", "\\"
            elif ch in "'\"":
                state = ch
            else:
                token, state = ch, "a"
        elif state in ("'", '"'):
            quoted = True
            if not ch:
                raise ValueError("No closing quotation")
            if ch == state:
                state = "a"
            elif ch == "\\" and state == '"':
                esc_from, state = state, "\\"
            else:
                token += ch
        elif state == "\\":
            if not ch:
                raise ValueError("No escaped character")
            if esc_from in ("'", '"') and ch != state and ch != esc_from:
                token += state
            token += ch
            state = esc_from
        else:  # inside a word
            if not ch or ch in _SHLEX_WS or ch == "#":
                if token or quoted:
                    out.append((token, start))
                token, quoted, state = "", False, " "
                if not ch or ch == "#":
                    break
            elif ch in "'\"":
                state = ch
            elif ch == "\\":
                esc_from, state = "a", "\\"
            else:
                token += ch
    return out


def _coerce(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple, set)):
        return [_coerce(v) for v in value]
    if isinstance(value, dict):
        return {k: _coerce(v) for k, v in value.items()}
    if value is ...:
        return "..."
    if isinstance(value, complex):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    return value


def parse_ini_value(text: str) -> Any:
    """An INI inventory value as ansible-core reads it: `ast.literal_eval` when that succeeds
    (``True`` -> True, ``22`` -> 22, ``'x'`` -> "x", ``[1,2]`` -> [1, 2]), else the text.
    Raises ValueError for the few inputs that make ansible-core fail (e.g. ``{[1]: 2}``)."""
    try:
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore")
            value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        value = text
    except (TypeError, MemoryError, RecursionError) as e:
        raise ValueError(f"cannot evaluate {text!r}: {e}") from None
    return _coerce(value)


def _ini_lines(text: str) -> Iterable[tuple[int, int, str]]:
    """(1-based editor line, 0-based column of the piece, piece) for every line ansible-core's
    `str.splitlines()` sees (form feeds and friends split an editor line in several pieces)."""
    li = LineIndex(text)
    for ln in range(len(li.starts)):
        line = li.line_text(ln)
        if not line:
            continue
        col = 0
        for piece in line.splitlines(keepends=True):
            body = piece.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
            yield ln + 1, col, body
            col += len(piece)


def _config_like(tokens: list[tuple[str, int]]) -> bool:
    """A `key = value` / `key: value` line of a settings file, not a host line."""
    first = tokens[0][0]
    if "=" in first:
        return True
    return len(tokens) > 1 and (first.endswith(":") or tokens[1][0][:1] in ("=", ":"))


def parse_ini(inv: Inventory, text: str, path: str) -> bool:
    """Parse INI inventory text into `inv`. False when the text is plainly not an inventory
    (a settings file: every host line is `key = value`)."""
    pending: dict[str, dict[str, Any]] = {}
    group = "ungrouped"
    state = "hosts"
    host_lines = 0
    config_lines = 0
    first_config: tuple[int, int] | None = None

    def err(msg: str, line: int, col: int) -> None:
        inv._error(msg, line, col, path)

    def add_pending_children(name: str) -> None:
        for parent in pending[name]["parents"]:
            e = inv._add_child(parent, name)
            if e:
                err(e, pending[name]["line"], 1)
            if parent in pending and pending[parent]["state"] == "children":
                add_pending_children(parent)
        pending.pop(name, None)

    for lineno, base_col, raw in _ini_lines(text):
        if lineno == 1 and base_col == 0 and raw.startswith("\ufeff"):
            # ansible-core keeps the byte-order mark as the first character of the first line
            # (str.strip() leaves it): a `[section]` there is read as a host name and fails.
            rest = raw[1:].strip()
            msg = (
                "the file starts with a UTF-8 byte-order mark, which ansible-core's INI inventory parser "
                "reads as part of the first line (save the file as UTF-8 without BOM)"
            )
            if not rest or rest[0] in "#;":
                inv._warn(msg + ": it becomes a host named '\\ufeff'", 1, 1, path)
            else:
                err(msg, 1, 1)
            raw = " " + raw[1:]
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        col0 = base_col + (len(raw) - len(raw.lstrip()))
        col = col0 + 1
        m = _SECTION_RX.match(line)
        if m:
            group, kind = m.group(1), m.group(2) or "hosts"
            if kind not in ("hosts", "children", "vars"):
                err(f"Section [{m.group(1)}:{kind}] has unknown type: {kind}", lineno, col)
                state = "skip"
                continue
            state = kind
            if group not in inv.groups:
                if state == "vars" and group not in pending:
                    pending[group] = {"line": lineno, "state": state, "name": group}
                inv._add_group(group, lineno, col + 1, path)
            if group in pending and state != "vars":
                if pending[group]["state"] == "children":
                    add_pending_children(group)
                elif pending[group]["state"] == "vars":
                    del pending[group]
            continue
        if line.startswith("[") and line.endswith("]"):
            err(
                f"Invalid section entry: '{line}'. Please make sure that there are no spaces in the section entry, "
                "and that there are no other invalid characters",
                lineno,
                col,
            )
            state = "skip"
            continue
        if state == "skip":
            continue
        if state == "hosts":
            host_lines += 1
            try:
                tokens = shlex_tokens(line)
            except ValueError as e:
                err(f"Error parsing host definition '{line}': {e}", lineno, col)
                continue
            if not tokens:
                continue
            if _config_like(tokens):
                config_lines += 1
                if first_config is None:
                    first_config = (lineno, col)
            _ini_host_line(inv, tokens, line, lineno, col0, group, path)
        elif state == "vars":
            if "=" not in line:
                err(f"Expected key=value, got: {line}", lineno, col)
                continue
            k, v = (e.strip() for e in line.split("=", 1))
            after = line[line.index("=") + 1 :]
            vcol = col0 + line.index("=") + 1 + (len(after) - len(after.lstrip())) + 1
            try:
                value = parse_ini_value(v)
            except ValueError as e:
                err(str(e), lineno, vcol)
                continue
            e2 = inv._set_group_var(group, k, value, VarPos(path, lineno, col))
            if e2:
                err(e2, lineno, vcol)
        elif state == "children":
            m = _GROUPNAME_RX.match(line)
            if not m:
                err(f"Expected group name, got: {line}", lineno, col)
                continue
            child = m.group(1)
            if child not in inv.groups:
                if child not in pending:
                    pending[child] = {"line": lineno, "state": state, "name": child, "parents": [group]}
                else:
                    pending[child].setdefault("parents", []).append(group)
            else:
                child_err = inv._add_child(group, child)
                if child_err:
                    err(child_err, lineno, col)
    for name, decl in pending.items():
        if decl["state"] == "vars":
            err(f"Section [{name}:vars] not valid for undefined group {name!r}.", decl["line"], 1)
        else:
            err(f"Section [{decl['parents'][-1]}:children] includes undefined group {name!r}.", decl["line"], 1)
    if host_lines and config_lines == host_lines:
        return False
    return True


def _ini_host_line(
    inv: Inventory, tokens: list[tuple[str, int]], line: str, lineno: int, col0: int, group: str, path: str
) -> None:
    pattern, pstart = tokens[0]
    pcol = col0 + pstart + 1
    try:
        names, port = expand_hostpattern(pattern)
    except HostRangeError as e:
        if "more than ansopt expands" in str(e):
            inv._warn(str(e), lineno, pcol, path)
        else:
            inv._error(str(e), lineno, pcol, path)
        return
    if pattern.strip().endswith(":") and port is None:
        inv._error(
            f"Invalid host pattern '{pattern}' supplied, ending in ':' is not allowed, this character is reserved to provide a port.",
            lineno,
            pcol,
            path,
        )
        return
    if any(n.strip() == "---" for n in names):
        inv._error(
            f"Invalid host pattern '{pattern}' supplied, '---' is normally a sign this is a YAML file.",
            lineno,
            pcol,
            path,
        )
        return
    if "=" in pattern:
        inv._warn(f"host name {pattern!r} holds '=': a setting line rather than a host?", lineno, pcol, path)
    variables: list[tuple[str, Any, VarPos]] = []
    for tok, tstart in tokens[1:]:
        tcol = col0 + tstart + 1
        if "=" not in tok:
            inv._error(f"Expected key=value host variable assignment, got: {tok}", lineno, tcol, path)
            continue
        k, v = tok.split("=", 1)
        try:
            variables.append((k, parse_ini_value(v), VarPos(path, lineno, tcol)))
        except ValueError as e:
            inv._error(str(e), lineno, tcol, path)
    inv._add_hosts(names, group, port, lineno, pcol, pattern, path, variables)
