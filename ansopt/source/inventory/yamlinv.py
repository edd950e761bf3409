"""YAML (and JSON) inventories, read as ansible-core's `yaml` inventory plugin reads them,
and the YAML node helpers the vars-file reader shares."""

from __future__ import annotations

from typing import Any

from ..yamlfile import YAlias, YMap, YNode, YScalar, YSeq
from .hosts import HostRangeError, expand_hostpattern
from .model import Inventory, VarPos


def _deref(node: YNode | None) -> YNode | None:
    seen = 0
    while isinstance(node, YAlias) and seen < 100:
        node = node.target
        seen += 1
    return node


def _to_data(node: YNode | None) -> Any:
    """The Python data of a node, aliases followed."""
    node = _deref(node)
    return None if node is None else node.to_data()


def _is_null(node: YNode | None) -> bool:
    node = _deref(node)
    return node is None or (isinstance(node, YScalar) and node.value is None)


def _items(node: YMap) -> list[tuple[Any, YNode, YNode]]:
    """(key, key node, value node) of a mapping as the loaded dict has them: `<<` merges
    resolved (explicit keys win), a duplicate key keeps its first place and its last value."""
    out: dict[Any, tuple[YNode, YNode]] = {}
    merged: dict[Any, tuple[YNode, YNode]] = {}
    for k, v in node.pairs:
        if isinstance(k, YScalar) and k.tag == "tag:yaml.org,2002:merge":
            src = _deref(v)
            sources = [_deref(x) for x in src.items] if isinstance(src, YSeq) else [src]
            for s in sources:
                if isinstance(s, YMap):
                    for mk, mkn, mvn in _items(s):
                        merged.setdefault(mk, (mkn, mvn))
            continue
        kd = k.value if isinstance(k, YScalar) else _to_data(k)
        try:
            hash(kd)
        except TypeError:
            kd = repr(kd)
        out[kd] = (k, v)
    result = dict(merged)
    result.update(out)
    return [(key, kn, vn) for key, (kn, vn) in result.items()]


def parse_yaml_inventory(inv: Inventory, yf: Any, path: str) -> bool:
    """Parse a loaded YAML inventory into `inv`. False when it holds no group at all."""
    root = _deref(yf.root)
    pos = yf.position
    if not isinstance(root, YMap):
        return False
    found = False
    for key, kn, vn in _items(root):
        _parse_group(inv, key, kn, vn, pos, path)
        if isinstance(key, str) and (isinstance(_deref(vn), YMap) or _is_null(vn)):
            found = True
    return found


def _parse_group(inv: Inventory, name: Any, kn: YNode, vn: YNode, pos: Any, path: str) -> str | None:
    line, col = pos(kn.start)
    data = _deref(vn)
    if not (isinstance(data, YMap) or _is_null(data)):
        inv._warn(f"Skipping '{name}' as this is not a valid group definition", line, col, path)
        return name if isinstance(name, str) else None
    if not isinstance(name, str) or not name:
        inv._error(f"Unable to add group {name!r}: invalid group name, expected a non-empty string", line, col, path)
        return None
    inv._add_group(name, line, col, path)
    if not isinstance(data, YMap):
        return name
    items = _items(data)
    for key, skn, svn in items:
        sline, scol = pos(skn.start)
        sval = _deref(svn)
        if key in ("vars", "children", "hosts"):
            if isinstance(sval, YScalar) and isinstance(sval.value, str):
                _section_from_string(inv, name, key, sval, pos, path)
                continue
            if not (isinstance(sval, YMap) or _is_null(sval)):
                inv._error(
                    f'Invalid "{key}" entry for "{name}" group, requires a dictionary, found "{_yaml_type(sval)}" instead.',
                    sline,
                    scol,
                    path,
                )
                continue
        if not (isinstance(sval, YMap) or _is_null(sval)):
            inv._warn(
                f"Skipping key ({key}) in group ({name}) as it is not a mapping, it is a {_yaml_type(sval)}",
                sline,
                scol,
                path,
            )
            continue
        if not isinstance(sval, YMap):  # null: nothing to read
            continue
        if key == "vars":
            for var, vkn, vvn in _items(sval):
                vline, vcol = pos(vkn.start)
                err = inv._set_group_var(name, var, _to_data(vvn), VarPos(path, vline, vcol))
                if err:
                    inv._error(err, vline, vcol, path)
        elif key == "children":
            for sub, ckn, cvn in _items(sval):
                child = _parse_group(inv, sub, ckn, cvn, pos, path)
                if child is None:
                    continue
                cline, ccol = pos(ckn.start)
                if child not in inv.groups:
                    inv._error(f"{child} is not a known host nor group", cline, ccol, path)
                    continue
                err = inv._add_child(name, child)
                if err:
                    inv._error(err, cline, ccol, path)
        elif key == "hosts":
            for hp, hkn, hvn in _items(sval):
                _yaml_host(inv, name, hp, hkn, hvn, pos, path)
        else:
            inv._warn(
                f'Skipping unexpected key ({key}) in group ({name}), only "vars", "children" and "hosts" are valid',
                sline,
                scol,
                path,
            )
    return name


def _section_from_string(inv: Inventory, group: str, key: str, node: YScalar, pos: Any, path: str) -> None:
    """`hosts: web1` / `children: sub` / `vars: x`: ansible-core turns the string into {string: None}."""
    line, col = pos(node.start)
    value = node.value
    if key == "hosts":
        _yaml_host(inv, group, value, node, None, pos, path)
    elif key == "children":
        if not value:
            inv._error(f"Unable to add group {value!r}: invalid empty group name", line, col, path)
            return
        inv._add_group(value, line, col, path)
        err = inv._add_child(group, value)
        if err:
            inv._error(err, line, col, path)
    else:
        inv._set_group_var(group, value, None, VarPos(path, line, col))


def _yaml_type(node: YNode | None) -> str:
    node = _deref(node)
    if node is None:
        return "NoneType"
    if isinstance(node, YScalar):
        return type(node.value).__name__
    return "list" if node.kind == "seq" else "dict"


def _yaml_host(inv: Inventory, group: str, pattern: Any, kn: YNode, vn: YNode | None, pos: Any, path: str) -> None:
    line, col = pos(kn.start)
    if not isinstance(pattern, str):
        inv._error(
            f"Host pattern {pattern} must be a string. Enclose integers/floats in quotation marks.", line, col, path
        )
        return
    try:
        names, port = expand_hostpattern(pattern)
    except HostRangeError as e:
        (inv._warn if "more than ansopt expands" in str(e) else inv._error)(str(e), line, col, path)
        return
    val = _deref(vn)
    variables: list[tuple[str, Any, VarPos]] = []
    # ansible-core takes `value or {}`: any falsy value (null, 0, "", [], false) means no vars.
    if val is not None and (isinstance(val, YMap) or val.to_data()):
        if not isinstance(val, YMap):
            inv._error(f"Invalid data from file, expected dictionary and got: {val.to_data()!r}", line, col, path)
            return
        for var, vkn, vvn in _items(val):
            vline, vcol = pos(vkn.start)
            variables.append((var, _to_data(vvn), VarPos(path, vline, vcol)))
    inv._add_hosts(names, group, port, line, col, pattern, path, variables)
