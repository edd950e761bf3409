"""Package-manager modules whose `name` takes a list (shared by the package rules).

The ansible.builtin modules are checked against ansible-core's knowledge (module routing);
modules of community.general are not part of ansible-core, so they are listed here from
that collection's documentation (each one's `name`/`package` option is `type: list`).
"""

from __future__ import annotations

import os
import re

from .. import discover

BUILTIN = frozenset(f"ansible.builtin.{m}" for m in ("apt", "yum", "dnf", "dnf5", "package", "pip"))
# not homebrew_cask: it runs one `brew install --cask` per cask whatever it is given
COMMUNITY_GENERAL = frozenset(
    f"community.general.{m}"
    for m in (
        "apk",
        "apt_rpm",
        "flatpak",
        "homebrew",
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


def used_roles(project) -> set[str] | None:
    """The folders of the roles that some play of the project runs (its `roles:`, role
    dependencies, include_role / import_role), or None when that cannot be told: no
    playbook, a collection (its users run its roles), or a play whose roles or includes
    ansopt cannot follow (a templated name, a role it cannot find)."""
    if project.role_use is None:
        project.role_use = (_used_roles(project),)
    return project.role_use[0]


def _used_roles(project) -> set[str] | None:
    """What the plays reach, followed statically. Where a play cannot be followed (a
    templated role name, `include_role: name: "{{ item }}"`; a templated task include that
    may reach any task file), every role whose name some task file, playbook, role meta or
    vars file of the project holds as a plain value (`- web`, `role: web`, `name: web`) counts
    as used: that is where such a name comes from. A role or file that is not there reaches
    nothing of the project."""
    from ._gathering import play_run

    if not project.playbooks or os.path.isfile(os.path.join(project.root, "galaxy.yml")):
        return None
    used: set[str] = set()
    named_anywhere = False
    for play in project.plays():
        run = play_run(play)
        for u in run.unknown:
            if u.reason in ("templated role name", "templated tasks_from", "templated include") or (
                u.reason.startswith("role ") and "{{" in u.reason
            ):
                named_anywhere = True
        used |= {r.path for r in run.roles}
    if named_anywhere:
        used |= _roles_named(project)
    return used


# a plain scalar value on its own: a list item or a mapping value
_PLAIN_VALUE = re.compile(r"""(?:^[ \t]*-[ \t]+|:[ \t]+)['"]?(?P<name>[A-Za-z0-9_.\-/]+)['"]?[ \t]*(?:#.*)?$""", re.M)


def _roles_named(project) -> set[str]:
    """The folders of the project's roles whose name (or a `roles/NAME` path) is a plain
    value somewhere in the project's task files, playbooks, role metas or vars files."""
    names: set[str] = set()
    for f in project.files_of(discover.TASKS, discover.PLAYBOOK, discover.HANDLERS, discover.META, discover.VARS):
        try:
            text = project.reader.read_lenient(f.abspath)
        except OSError:
            continue
        for m in _PLAIN_VALUE.finditer(text):
            value = m["name"].rstrip("/")
            if "/" not in value:
                names.add(value)
            elif re.search(r"(^|/)roles/[^/]+$", value):  # a role by path: ../roles/web
                names.add(value.rsplit("/", 1)[-1])
    roles = {r.path: r for f in project.files if (r := project.role_of_file(f.abspath)) is not None}
    return {path for path, role in roles.items() if role.name in names}


def in_unused_role(project, task) -> bool:
    """The task is in a role under a `roles/` folder that no play of the project runs."""
    path = project.abspath_of(task.file)
    role = project.role_of_file(path) if path else None
    if role is None or os.path.basename(os.path.dirname(role.path)) != "roles":
        return False
    used = used_roles(project)
    return used is not None and role.path not in used


def comment_block_start(text: str, start: int) -> int:
    """Where the run of comment lines directly above the line at `start` begins (`start`'s
    line itself when there is none)."""
    line = text.rfind("\n", 0, start) + 1
    while line > 0:
        prev = text.rfind("\n", 0, line - 1) + 1
        if not text[prev : line - 1].lstrip().startswith("#"):
            break
        line = prev
    return line


def refreshes_cache(args: dict) -> bool:
    """`update_cache` on the task: a repository refresh on each run of it, not only a
    transaction. Not with apt's `cache_valid_time`: the first run refreshes, the next ones
    find the cache fresh."""
    v = args.get("update_cache", args.get("update-cache"))
    on = v is True or (isinstance(v, str) and v.strip().lower() in ("yes", "true", "on", "1"))
    valid = args.get("cache_valid_time")
    return on and (valid is None or str(valid).strip() in ("", "0"))


def is_package_module(fqcn: str | None) -> bool:
    return fqcn in PACKAGE_MODULES


def var_only(value: object, var: str) -> bool:
    """True when `value` is exactly ``{{ var }}`` (any spacing)."""
    return (
        isinstance(value, str) and re.fullmatch(r"\s*\{\{-?\s*" + re.escape(var) + r"\s*-?\}\}\s*", value) is not None
    )


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
