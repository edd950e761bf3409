"""The Ansible a project pins: the newest ansible-core its requirement files or its runner
image allow.

Rules judge ansible.cfg against the installed ansible-core. A project that pins an older
Ansible (`ansible<2.10` in a requirements file, `pip install ansible==2.9.27` in a
Dockerfile, a control image tagged `ansible-3.1.0`) runs a version that may still read a key
the installed one removed; advice to rename that key would break the version the project
really runs.

Looked for in the ansible.cfg's folder and each folder above it up to the project root
(`requirements*.txt`, `constraints*.txt`, `*.pip`, `Pipfile`, `pyproject.toml`, `setup.cfg`,
`tox.ini`, `Dockerfile*`, `*.sh`, `Makefile`, `docker-compose*.yml`, `.gitlab-ci.yml`), and in
the project root's runner folders (`scripts/`, `bin/`, `docker/`, `ci/`, `.ci/`, `tools/`, two
levels down); not in other sub-folders: a pin there belongs to another part of the project.
"""

from __future__ import annotations

import fnmatch
import os
import re

PIN_FILES = (
    "requirements*.txt",
    "constraints*.txt",
    "*.pip",
    "Pipfile",
    "pyproject.toml",
    "setup.cfg",
    "tox.ini",
    "Dockerfile*",
    "*.sh",
    "Makefile",
    "docker-compose*.yml",
    ".gitlab-ci.yml",
)
# `ansible<2.10`, `ansible-core==2.15.4`, `"ansible-base ~= 2.10"`, `ansible>=2.9,<2.10`;
# not ansible-lint & co.
_REQ = re.compile(r"""(?:^|[\s"'\[,])ansible(-core|-base)?\s*((?:(?:[<>=!~]=?|===)\s*v?[\w.*]+\s*,?\s*)+)""", re.M)
_CLAUSE = re.compile(r"(==|<=|<|~=|>=|>|!=)\s*v?(\d+)(?:\.(\d+))?")
# a runner image tagged with its Ansible version: `ansiblecm:ansible-3.1.0-...`
_IMAGE = re.compile(r"[\w./-]*ansible[\w.-]*:ansible-(\d+)\.(\d+)")


def core_of(package: str, major: int, minor: int) -> tuple[int, int]:
    """ansible-core's version for a release of `ansible` (3.x is ansible-base 2.10, 4.x is
    core 2.11, ... 12.x is 2.19) or of ansible-core / ansible-base themselves."""
    if package or major <= 2:
        return (major, minor)
    return (2, 10) if major == 3 else (2, major + 7)


def _bound(package: str, op: str, major: int, minor: int | None) -> tuple[int, int]:
    """The newest ansible-core the requirement allows."""
    if op == "<":
        if package or major <= 2:  # ansible<2.10 -> 2.9, ansible-core<3 -> 2.x
            return (major, minor - 1) if minor else (major - 1, 99)
        if minor:  # ansible<4.5 -> 4.4 -> 2.11
            return core_of("", major, 0)
        return (2, 10) if major - 1 <= 3 else core_of("", major - 1, 0)  # ansible<3 -> 2.10.x
    if op == "~=" and minor is not None and (package or major <= 2):
        return (major, minor)  # ~=2.9.1 allows 2.9.x; ~=2.9 allows 2.x: keep the stated one
    return core_of(package, major, minor or 0)


def _pins_in(text: str, name: str) -> list[tuple[tuple[int, int], bool]]:
    """(newest ansible-core allowed, stated for ansible-core itself) for each pin. An
    `ansible` requirement with a lower bound of 2.11 or more (`ansible>=2.15,<3`) names
    ansible-core's versions (the `ansible` package went from 2.10 to 3.0): read as such."""
    out = []
    for m in _REQ.finditer(text):
        package = m.group(1) or ""
        clauses = list(_CLAUSE.finditer(m.group(2)))
        if not package and any(
            c.group(1) in (">=", ">", "==", "~=") and int(c.group(2)) == 2 and int(c.group(3) or 0) >= 11
            for c in clauses
        ):
            package = "-core"
        for c in clauses:
            op = c.group(1)
            if op in ("==", "<=", "<", "~="):
                bound = _bound(package, op, int(c.group(2)), int(c.group(3)) if c.group(3) else None)
                out.append((bound, bool(package)))
    if not name.endswith((".txt", ".pip", ".toml", ".cfg", ".ini")) and name != "Pipfile":
        for m in _IMAGE.finditer(text):
            out.append((core_of("", int(m.group(1)), int(m.group(2))), False))
    return out


# play, block and task keywords Ansible 2.9 removed (deprecated since 1.9; become replaced them)
REMOVED_IN_2_9 = ("sudo", "sudo_user", "su", "su_user")

RUNNER_DIRS = ("scripts", "bin", "docker", "ci", ".ci", "tools")


def _scan(d: str, read, found: list[tuple[tuple[int, int], bool]], depth: int = 0) -> None:
    """The pins of the files in `d` (and, `depth` levels down, of its folders)."""
    try:
        names = sorted(os.listdir(d))
    except OSError:
        return
    for name in names:
        path = os.path.join(d, name)
        if os.path.isdir(path):
            if depth > 0:
                _scan(path, read, found, depth - 1)
            continue
        if not any(fnmatch.fnmatch(name, pat) for pat in PIN_FILES):
            continue
        try:
            found += _pins_in(read(path), name)
        except (OSError, UnicodeDecodeError, ValueError):
            continue


def pinned_core(root: str, folder: str, read) -> tuple[int, int] | None:
    """The newest ansible-core (major, minor) that the pins found from `folder` up to `root`
    (and in the root's runner folders) allow, or None when nothing pins Ansible. Pins of
    ansible-core (or ansible-base) itself win over those of the `ansible` package: they are
    the exact statement (`ansible<3` beside `ansible-core>=2.15` is a loose upper bound)."""
    root = os.path.abspath(root)
    d = os.path.abspath(folder)
    found: list[tuple[tuple[int, int], bool]] = []
    while True:
        _scan(d, read, found)
        if d == root or not d.startswith(root + os.sep):
            break
        d = os.path.dirname(d)
    for sub in RUNNER_DIRS:
        _scan(os.path.join(root, sub), read, found, depth=2)
    core = [b for b, is_core in found if is_core]
    return min(core or [b for b, _ in found]) if found else None
