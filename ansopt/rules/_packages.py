"""Package-manager modules whose `name` takes a list (shared by the package rules).

The ansible.builtin modules are checked against ansible-core's knowledge (module routing);
modules of community.general are not part of ansible-core, so they are listed here from
that collection's documentation (each one's `name`/`package` option is `type: list`).
"""

from __future__ import annotations

import re

BUILTIN = frozenset(
    f"ansible.builtin.{m}" for m in ("apt", "yum", "dnf", "dnf5", "package", "pip")
)
COMMUNITY_GENERAL = frozenset(
    f"community.general.{m}"
    for m in (
        "apk",
        "apt_rpm",
        "flatpak",
        "homebrew",
        "homebrew_cask",
        "macports",
        "openbsd_pkg",
        "opkg",
        "pacman",
        "pkg5",
        "pkgin",
        "pkgng",
        "portage",
        "slackpkg",
        "snap",
        "urpmi",
        "xbps",
        "zypper",
    )
)
PACKAGE_MODULES = BUILTIN | COMMUNITY_GENERAL
NAME_KEYS = ("name", "pkg", "package")
LOOP_KEYS = ("loop", "with_items", "with_list")


def is_package_module(fqcn: str | None) -> bool:
    return fqcn in PACKAGE_MODULES


def var_only(value: object, var: str) -> bool:
    """True when `value` is exactly ``{{ var }}`` (any spacing)."""
    return isinstance(value, str) and re.fullmatch(r"\s*\{\{-?\s*" + re.escape(var) + r"\s*-?\}\}\s*", value) is not None


def var_attr(value: object, var: str) -> str | None:
    """`attr` when `value` is exactly ``{{ var.attr }}`` or ``{{ var['attr'] }}``."""
    if not isinstance(value, str):
        return None
    v = re.escape(var)
    m = re.fullmatch(r"\s*\{\{-?\s*" + v + r"(?:\.(\w+)|\[['\"](\w+)['\"]\])\s*-?\}\}\s*", value)
    return (m.group(1) or m.group(2)) if m else None


def mentions(text: str, var: str) -> bool:
    """True when a template in `text` may read the variable `var`."""
    if "{{" not in text and "{%" not in text:
        return False
    return re.search(r"(?<![\w.])" + re.escape(var) + r"\b", text) is not None


def bare_mentions(text: str, var: str) -> bool:
    """For `when:`-like keywords, which are templates without braces."""
    return re.search(r"(?<![\w.'\"])" + re.escape(var) + r"\b", text) is not None


# --------------------------------------------------------------------------- batching (P102)

# Packages that add a package repository (epel-release, remi-release-8.rpm, centos-release-scl,
# zabbix-release_6.0-4+ubuntu22.04_all.deb): what comes after them may come from that
# repository, so they never share a transaction with later packages.
_REPO_PACKAGE = re.compile(r"(?:^|[-_/])release(?:$|[-_.])", re.IGNORECASE)
# ... but not the packages that describe the running system (`lsb-release`, `os-release`).
_SYSTEM_RELEASE = re.compile(r"(?:^|/)(?:lsb|os)-release\b", re.IGNORECASE)
# pip upgrading its own tooling first: later builds may need the new pip/setuptools/wheel.
_PIP_TOOLING = frozenset({"pip", "setuptools", "wheel"})
# Options a module accepts only with a single package (module documentation).
SINGLE_NAME_OPTIONS = {
    "ansible.builtin.pip": ("version",),
    "community.general.snap": ("classic", "channel"),
}


def is_repo_package(name: str) -> bool:
    """Does the package's name say it adds a package repository (`epel-release`, ...)?"""
    return bool(_REPO_PACKAGE.search(name)) and not _SYSTEM_RELEASE.search(name)


def is_bootstrap_package(fqcn: str | None, name: str) -> bool:
    """Does installing `name` change what later package installs can find or build?"""
    if is_repo_package(name):
        return True
    if fqcn == "ansible.builtin.pip":
        base = re.split(r"[<>=!~\[;@ ]", name.strip(), maxsplit=1)[0].lower()
        return base in _PIP_TOOLING
    return False


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
    from ..fixers import yaml_edits as Y

    if seq.flow or not (0 <= index < len(seq.items)):
        return None
    item = seq.items[index]
    end = Y.end_of_line(file, item.end)
    if file.text[item.end : end].strip() and not file.text[item.end : end].strip().startswith("#"):
        return None
    if index == 0:
        start = file.lines.line_start(file.lines.line_of(seq.start))
    else:
        prev = seq.items[index - 1]
        start = Y.end_of_line(file, prev.end)
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
    from ..fixers import yaml_edits as Y
    from ..types import Change, Edit, Span

    if first < 1 or last < first or last >= len(seq.items) or Y.under_anchor(seq):
        return None
    a = seq_item_lines(file, seq, first)
    b = seq_item_lines(file, seq, last)
    if a is None or b is None:
        return None
    changes = []
    for i in range(first, last + 1):
        if seq_item_lines(file, seq, i) is None:
            return None
        path = Y.data_path(file, seq.items[i])
        if path is None:
            return None
        changes.append(Change("delete", path))
    return Edit(Span(a[0], b[1]), ""), changes
