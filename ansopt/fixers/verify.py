"""Verification of fixed text: nothing is written unless a fixed file is exactly its old text
plus the intended change.

Each fixed file is checked, in this order:

1. no byte outside the edit spans moved;
2. the result parses (as YAML, or as ansible-core reads ansible.cfg);
3. its data equals the data before the fix plus exactly the fixes' declared changes;
4. no comment of the old text is missing, and tags (`!vault`, `!unsafe`), anchors and
   aliases are all still there (they change what Ansible does with a value).

`apply_verified` applies a file's fixes together and, when they fail, one at a time, so one
bad fix does not hold back the others.
"""

from __future__ import annotations

import copy
import math
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from ..diagnostics import Change, Edit
from ..source import cfgfile, yamlfile
from ..source.yamlfile import YamlFile, YamlLoadError
from .yaml_edits import file_comments

Key = TypeVar("Key")


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """`text` with every edit applied (ValueError when edits overlap or leave the text)."""
    ordered = sorted(edits, key=lambda e: (e.span.start, e.span.end))
    out = []
    pos = 0
    for e in ordered:
        if e.span.start < pos or e.span.end > len(text):
            raise ValueError(f"overlapping or out-of-range edit at {e.span.start}")
        out.append(text[pos : e.span.start])
        out.append(e.replacement)
        pos = e.span.end
    out.append(text[pos:])
    return "".join(out)


def outside_unchanged(old: str, new: str, edits: Iterable[Edit]) -> bool:
    """Every byte of `old` outside the edit spans is in `new`, in place."""
    ordered = sorted(edits, key=lambda e: (e.span.start, e.span.end))
    shift = 0
    pos = 0
    for e in ordered:
        if old[pos : e.span.start] != new[pos + shift : e.span.start + shift]:
            return False
        shift += len(e.replacement) - (e.span.end - e.span.start)
        pos = e.span.end
    return old[pos:] == new[pos + shift :]


_TOMB = object()


def apply_changes(data: Any, changes: Iterable[Change]) -> Any:
    """The data with the changes applied; paths refer to the data before any change."""
    data = copy.deepcopy(data)
    for ch in changes:
        *parents, last = ch.path
        node = data
        for p in parents:
            if isinstance(node, dict) and p not in node and ch.op == "set":
                node[p] = {}
            node = node[p]
        if ch.op == "set":
            node[last] = copy.deepcopy(ch.value)
        elif isinstance(node, list):
            node[last] = _TOMB  # removed after every change: later paths index the old list
        else:
            node.pop(last, None)
    return _strip_tombs(data)


def _strip_tombs(data: Any) -> Any:
    if isinstance(data, list):
        return [_strip_tombs(x) for x in data if x is not _TOMB]
    if isinstance(data, dict):
        return {k: _strip_tombs(v) for k, v in data.items()}
    return data


def same_data(a: Any, b: Any) -> bool:
    """Deep equality that tells True from 1 and treats NaN as equal to itself."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_data(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_data(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def is_cfg_path(abspath: str) -> bool:
    return os.path.basename(abspath) == "ansible.cfg"


def load_data(abspath: str, text: str, cfg: bool | None = None) -> Any:
    """The data of a file as the verifier compares it (raises YamlLoadError)."""
    if cfg if cfg is not None else is_cfg_path(abspath):
        return cfgfile.parse_values(text)
    return yamlfile.load_text(abspath, text).data()


def _cfg_comments(text: str) -> Counter:
    """Every comment of an ansible.cfg, as written: comment lines and `;` inline comments."""
    out: Counter = Counter()
    for line in text.splitlines():
        st = line.strip()
        if st.startswith(("#", ";")):
            out[st] += 1
            continue
        found = [x for x in (line.find(" ;"), line.find("\t;")) if x >= 0]
        if found:
            out[line[min(found) :].strip()] += 1
    return out


def _yaml_marks(f: YamlFile) -> tuple[Counter, Counter]:
    """(comments, decorations) of a loaded YAML file. Decorations are tags beyond the core
    schema (`!vault`, `!unsafe`), anchors and aliases: a fix must keep them, since they
    change what Ansible does with a value."""
    comments = Counter(c.strip() for _, c in file_comments(f))
    deco: Counter = Counter()
    for d in f.docs:
        for n in d.root.walk():
            if n.kind == "alias":
                deco["*" + (n.anchor or "")] += 1
                continue
            if n.anchor:
                deco["&" + n.anchor] += 1
            if n.tag and not n.tag.startswith("tag:yaml.org,2002:"):
                deco[n.tag] += 1
    return comments, deco


def verify(
    abspath: str, old: str, new: str, edits: list[Edit], changes: list[Change], cfg: bool | None = None
) -> str | None:
    """None when `new` is exactly `old` plus the intended change, else why not. `cfg`: the
    file is an ansible.cfg (default: judged by its name).

    Checks: the bytes outside the edits; the result parses; its data is the old data plus
    exactly the declared changes; no comment of the old text is missing; tags (`!vault`,
    `!unsafe`), anchors and aliases are all still there."""
    cfg = is_cfg_path(abspath) if cfg is None else cfg
    if not outside_unchanged(old, new, edits):
        return "bytes outside the edited spans changed"
    old_file: YamlFile | None = None
    new_file: YamlFile | None = None
    before: Any
    after: Any
    try:
        if not old:
            before = {} if cfg else []
        elif cfg:
            before = cfgfile.parse_values(old)
        else:
            old_file = yamlfile.load_text(abspath, old)
            before = old_file.data()
    except YamlLoadError as e:
        return f"original does not parse ({e.message})"
    try:
        if cfg:
            after = cfgfile.parse_values(new)
            cfgfile.load_text(abspath, new)
        else:
            new_file = yamlfile.load_text(abspath, new)
            after = new_file.data()
    except YamlLoadError as e:
        return f"the fixed text does not parse: line {e.line}: {e.message}"
    if not same_data(apply_changes(before, changes), after):
        return "the fixed file's data differs from the intended change"
    if old:
        if cfg:
            lost = _cfg_comments(old) - _cfg_comments(new)
            deco_changed = False
        else:
            assert old_file is not None and new_file is not None  # both loaded above
            (c_old, d_old), (c_new, d_new) = _yaml_marks(old_file), _yaml_marks(new_file)
            lost, deco_changed = c_old - c_new, d_old != d_new
        if lost:
            return f"a comment would be lost: {next(iter(lost))!r}"
        if deco_changed:
            return "a tag, anchor or alias would change"
    return None


def _attempt(
    abspath: str, old: str, fixes: Sequence[tuple[Key, list[Edit], list[Change]]], cfg: bool
) -> tuple[str, str | None]:
    """(the text with these fixes applied, why it fails verification or None)."""
    edits = [e for _, es, _ in fixes for e in es]
    changes = [c for _, _, cs in fixes for c in cs]
    try:
        new = apply_edits(old, edits)
        return new, verify(abspath, old, new, edits, changes, cfg=cfg)
    except Exception as e:  # pragma: no cover - defensive: a verifier bug must not write
        return old, f"{type(e).__name__}: {e}"


def apply_verified(
    abspath: str, old: str, fixes: Sequence[tuple[Key, list[Edit], list[Change]]], cfg: bool
) -> tuple[str | None, int, list[tuple[Key, str]]]:
    """Apply one file's fixes, each given as (key, its edits here, its changes here).

    Returns (the verified text or None, how many fixes it holds, (key, why) of every fix
    that failed on its own). All the fixes are tried together first; when that fails, each
    alone, in order, up to the first that verifies: the others are judged again on the
    next round's fresh text."""
    new, problem = _attempt(abspath, old, fixes, cfg)
    if problem is None:
        return new, len(fixes), []
    if len(fixes) == 1:
        return None, 0, [(fixes[0][0], problem)]
    rejected: list[tuple[Key, str]] = []
    for item in fixes:
        new, problem = _attempt(abspath, old, [item], cfg)
        if problem is None:
            return new, 1, rejected
        rejected.append((item[0], problem))
    return None, 0, rejected
