"""Package-manager modules whose `name` takes a list (shared by the package rules).

The ansible.builtin modules are checked against ansible-core's knowledge (module routing);
modules of community.general are not part of ansible-core, so they are listed here from
that collection's documentation (each one's `name`/`package` option is `type: list`).
"""

from __future__ import annotations

import re

BUILTIN = frozenset(f"ansible.builtin.{m}" for m in ("apt", "yum", "dnf", "dnf5", "package", "pip"))
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


def refreshes_cache(args: dict) -> bool:
    """`update_cache` on the task: a repository refresh on each run of it, not only a transaction."""
    v = args.get("update_cache", args.get("update-cache"))
    return v is True or (isinstance(v, str) and v.strip().lower() in ("yes", "true", "on", "1"))


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
