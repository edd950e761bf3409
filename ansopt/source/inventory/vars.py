"""group_vars/ and host_vars/ folders and vars files, as ansible-core's host_group_vars vars
plugin and DataLoader read them."""

from __future__ import annotations

import json
import os
import re

from ..yamlfile import YamlLoadError, YMap, YScalar, decode, load_text
from .model import YAML_EXTENSIONS, InventoryError, VarPos, VarsDir
from .yamlinv import _deref, _items, _to_data


def _vars_file_names(folder: str) -> list[str]:
    try:
        entries = sorted(os.listdir(folder))
    except OSError:
        return []
    names: dict[str, None] = {}
    for e in entries:
        if e.startswith(".") or e.endswith("~"):
            continue
        base, ext = os.path.splitext(e)
        if ext in YAML_EXTENSIONS and base:
            names.setdefault(base, None)
        else:
            names.setdefault(e, None)
    return list(names)


def find_vars_files(folder: str, name: str) -> list[str]:
    """The files ansible-core loads for entity `name` in a group_vars/host_vars folder
    (DataLoader.find_vars_files): `name` itself (a file, or a folder read recursively in
    sorted order), else `name.yml`, `name.yaml`, `name.json`: the first that exists wins."""
    base = os.path.join(folder, name)
    for ext in ("",) + YAML_EXTENSIONS:
        full = base + ext
        if os.path.exists(full):
            if os.path.isdir(full):
                return _dir_vars_files(full)
            return [full]
    return []


def _dir_vars_files(folder: str) -> list[str]:
    out: list[str] = []
    try:
        entries = sorted(os.listdir(folder))
    except OSError:
        return out
    for e in entries:
        if e.startswith(".") or e.endswith("~"):
            continue
        ext = os.path.splitext(e)[1]
        full = os.path.join(folder, e)
        if os.path.isdir(full) and not ext:
            out.extend(_dir_vars_files(full))
        elif os.path.isfile(full) and (not ext or ext in YAML_EXTENSIONS):
            out.append(full)
    return out


def load_vars_file(path: str) -> tuple[dict | None, dict[str, VarPos], str | None, bool]:
    """(vars, positions, error, encrypted) of one vars file. vars is None for an empty file."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        return None, {}, f"cannot read: {e.strerror or e}", False
    if raw.lstrip().startswith(b"$ANSIBLE_VAULT;"):
        return None, {}, None, True
    try:
        text = decode(raw)
        yf = load_text(path, text)
    except YamlLoadError as e:
        try:  # ansible-core's loader tries JSON first: tabs and all
            data = json.loads(raw)
        except ValueError:
            return None, {}, f"line {e.line}: {e.message}", False
        if data in (None, {}, [], ""):
            return None, {}, None, False
        if not isinstance(data, dict):
            return None, {}, f"expected a mapping of variables, got {type(data).__name__}", False
        return data, {k: VarPos(path, 1, 1) for k in data}, None, False
    if len(yf.docs) > 1:
        return None, {}, "expected a single document in the stream", False
    root = _deref(yf.root)
    if root is None or (isinstance(root, YScalar) and not root.value):
        return None, {}, None, False
    if not isinstance(root, YMap):
        data = root.to_data()
        if not data:
            return None, {}, None, False
        return None, {}, f"expected a mapping of variables, got {type(data).__name__}", False
    data = {}
    positions: dict[str, VarPos] = {}
    for key, kn, vn in _items(root):
        data[key] = _to_data(vn)
        positions[key] = VarPos(path, *yf.position(kn.start))
    if not data:
        return None, {}, None, False
    return data, positions, None, False


def load_vars_dir(base_dir: str, kind: str = "group_vars") -> VarsDir:
    """The `group_vars/` or `host_vars/` folder under `base_dir` (the inventory's folder or the
    playbook's; a file path means its folder), as ansible-core's host_group_vars plugin reads
    it: {group or host name: vars merged from its files in load order}. The result is a dict
    that also carries `positions`, `files`, `encrypted` and `errors` (see VarsDir)."""
    if kind not in ("group_vars", "host_vars"):
        raise ValueError(f"kind must be group_vars or host_vars, not {kind!r}")
    if base_dir and os.path.isfile(base_dir):
        base_dir = os.path.dirname(base_dir)
    out = VarsDir(base_dir, kind)
    folder = os.path.join(base_dir, kind)
    if not os.path.isdir(folder):
        return out
    for name in _vars_file_names(folder):
        files = find_vars_files(folder, name)
        if not files:
            continue
        merged: dict = {}
        pos: dict[str, VarPos] = {}
        for fp in files:
            data, positions, error, encrypted = load_vars_file(fp)
            if encrypted:
                out.encrypted.add(name)
            if error:
                line = 0
                m = re.match(r"line (\d+): (.*)", error)
                if m:
                    line, error = int(m.group(1)), m.group(2)
                out.errors.append(InventoryError(error, line, 1 if line else 0, fp))
            if data:
                merged.update(data)
                pos.update(positions)
        out.files[name] = files
        if merged or name in out.encrypted:
            out[name] = merged
            out.positions[name] = pos
    return out
