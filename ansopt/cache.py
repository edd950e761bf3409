"""The result cache of `ansopt check`: a second run over a tree that did not change replays
the first run's report instead of checking again.

A finding depends on more than its own file (a play's facts on its roles and templates, a cfg
finding on the playbooks and inventories it applies to, C201 on a Vagrantfile two folders up),
and ansopt's rules look at the file system in many ways besides reading files. So an entry is
not keyed by files but by *everything a run could have looked at*, re-stamped on every lookup:

* the command: paths, options, output format, colour, the working folder, the environment
  variables ansible-core and ansopt read (`ANSIBLE_*`, `ANSOPT_*`, `NO_COLOR`);
* the tools: ansopt's version and the stamp of each of its own modules (an edited rule
  invalidates), the Python version, ansible-core's version and location;
* the trees: every file and folder under the project root and under each checked path (name,
  size, modification time; folders' times catch added and removed files), `.ansopt/` timings
  included, the usual tool folders (`.git`, `.venv`, `node_modules`...) left out;
* around the trees: the Vagrantfile, Terraform and Packer files of the two folders above each
  tree root and of the folders beside it (C201's rebuilt labs), and the settings, `ansible.cfg` and `.git` names of every
  folder up to the repository top (the upward searches for settings and configuration);
* what the run read outside all of that (a role path elsewhere, a named timings file),
  recorded by the run's file reader.

A file whose modification time is within two seconds of the run that stored the entry also
gets its content hash (the file may change again within the clock's resolution: git's "racy"
entries). Any difference is a miss, which runs the check and stores a new entry. `--ara`
(an outside database) is never cached.

Entries live in the user's cache folder (`$ANSOPT_CACHE_DIR`, else `$XDG_CACHE_HOME/ansopt`,
else `~/.cache/ansopt`), one file per command and folder, written atomically (a temporary
file and a rename, so two concurrent runs each see a whole entry); the oldest are removed
beyond `MAX_ENTRIES`. `--no-cache` bypasses it; `ANSOPT_CACHE_TRACE=1` says `hit`/`miss` on
stderr.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

from . import __version__
from .discover import REBUILD_FILES, SKIP_DIRS, git_root

FORMAT = 1
MAX_ENTRIES = 256
MAX_OUTPUT = 16 * 1024 * 1024  # a report larger than this is not kept
RACY_S = 2.0
_WALK_SKIP = SKIP_DIRS - {".ansopt"}  # the timing callback's output guides the checks
_UPWARD = (".ansopt.yml", ".ansopt.yaml", "pyproject.toml", "ansible.cfg", ".git", ".gitignore")
_NEARBY_LEVELS = 2

Stamp = list[Any]  # [path, kind, size, mtime_ns, sha1 or None]


def cache_dir() -> str:
    base = os.environ.get("ANSOPT_CACHE_DIR")
    if base:
        return base
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(xdg, "ansopt")


def _trace(what: str) -> None:
    if os.environ.get("ANSOPT_CACHE_TRACE"):
        print(f"ansopt: cache {what}", file=sys.stderr)


def _stamp(path: str, kind: str | None = None) -> Stamp:
    try:
        st = os.stat(path)
    except OSError:
        return [path, "missing", 0, 0, None]
    if kind is None:
        kind = "dir" if os.path.isdir(path) else "file"
    return [path, kind, st.st_size if kind == "file" else 0, st.st_mtime_ns, None]


def _sha1(path: str) -> str | None:
    try:
        with open(path, "rb") as f:
            return hashlib.sha1(f.read(), usedforsecurity=False).hexdigest()
    except OSError:
        return None


MAX_WALK = 200_000  # entries stamped in all: a tree larger than this is not cached


class _TooBig(Exception):
    pass


def _walk(root: str, out: dict[str, Stamp]) -> None:
    """Stamp every folder and file under `root` (the tool folders left out). Symbolic links
    to folders are followed once each (by their real path): a link back up the tree
    (`roles/x/roles -> ..`) is stamped as a link, not walked again."""
    seen: set[str] = set()
    stack = [root]
    while stack:
        d = stack.pop()
        real = os.path.realpath(d)
        if real in seen:
            out.setdefault(d, [d, "link:" + real, 0, 0, None])
            continue
        seen.add(real)
        out[d] = _stamp(d, "dir")
        try:
            entries = list(os.scandir(d))
        except OSError:
            continue
        if len(out) + len(entries) > MAX_WALK:
            raise _TooBig(root)
        for e in entries:
            try:
                if e.is_dir():  # follows symlinks, as discovery does
                    if e.name not in _WALK_SKIP:
                        stack.append(e.path)
                    continue
                st = e.stat()
            except OSError:
                out[e.path] = [e.path, "missing", 0, 0, None]
                continue
            out[e.path] = [e.path, "file", st.st_size, st.st_mtime_ns, None]


def _nearby(root: str, out: dict[str, Stamp]) -> None:
    """In the folders just above a tree root, the files rules look for there (a Vagrantfile,
    Terraform and Packer files: hosts rebuilt under the same names); and the upward-searched
    names of every folder up to the repository top (or the file system's root). Not the
    folders' own times: a shared folder such as /tmp or a home changes all day."""
    d = os.path.dirname(root)
    for level in range(_NEARBY_LEVELS):
        folders = [d]
        if level == 0:  # the parent's other folders too: a terraform/ beside the project
            try:
                folders += [e.path for e in os.scandir(d) if e.is_dir() and e.path != root]
            except OSError:
                pass
        for folder in folders:
            try:
                for e in os.scandir(folder):
                    if e.path not in out and any(fnmatch.fnmatch(e.name, pat) for pat in REBUILD_FILES):
                        out[e.path] = _stamp(e.path)
            except OSError:
                pass
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    top = git_root(root)
    d = root
    while True:
        for name in _UPWARD:
            p = os.path.join(d, name)
            if p not in out:
                out[p] = _stamp(p)
        if d == top:
            break
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    if top is not None:
        p = os.path.join(top, ".git", "info", "exclude")
        out.setdefault(p, _stamp(p))


def _tools() -> list[Any]:
    """ansopt's own modules and the ansible-core it derives its knowledge from."""
    pkg = os.path.dirname(os.path.abspath(__file__))
    mods: dict[str, Stamp] = {}
    for dirpath, dirnames, filenames in os.walk(pkg):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        for fn in filenames:
            if fn.endswith((".py", ".json")):
                p = os.path.join(dirpath, fn)
                mods[p] = _stamp(p, "file")
    import importlib.util

    try:  # ansible-core's release file, stamped, not imported (importing ansible is slow)
        spec = importlib.util.find_spec("ansible")
        origin = spec.origin if spec is not None else None
        core = _stamp(os.path.join(os.path.dirname(origin), "release.py"), "file") if origin else None
    except (ImportError, ValueError):  # not installed: the run itself reports that
        core = None
    return [__version__, sys.version, sys.executable, core, sorted(mods.values())]


@dataclass
class Entry:
    key: str
    roots: list[str]
    stamps: dict[str, Stamp] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return os.path.join(cache_dir(), "check", self.key + ".json")


class CheckCache:
    """One `ansopt check` command in one folder."""

    def __init__(self, command: dict[str, Any], roots: list[str]):
        env = {k: v for k, v in os.environ.items() if k.startswith(("ANSIBLE_", "ANSOPT_")) or k == "NO_COLOR"}
        env.pop("ANSOPT_CACHE_DIR", None)
        env.pop("ANSOPT_CACHE_TRACE", None)
        ident = json.dumps([FORMAT, command, env, os.getcwd()], sort_keys=True, default=str)
        self.entry = Entry(hashlib.sha256(ident.encode()).hexdigest()[:40], sorted(set(roots)))

    def _world(self, extra: list[str]) -> dict[str, Stamp]:
        out: dict[str, Stamp] = {}
        for r in self.entry.roots:
            if os.path.isdir(r):
                _walk(r, out)
            else:
                out.setdefault(r, _stamp(r))
            _nearby(r if os.path.isdir(r) else os.path.dirname(r), out)
        for p in extra:
            p = os.path.abspath(p)
            if os.path.isdir(p):
                _walk(p, out)  # an inventory folder, group_vars beside an outside inventory
            elif p not in out:
                out[p] = _stamp(p)
        mine = os.path.abspath(cache_dir()) + os.sep
        return {p: s for p, s in out.items() if not (p + os.sep).startswith(mine)}

    def lookup(self) -> dict[str, Any] | None:
        """The stored report when nothing it depends on changed, else None."""
        try:
            with open(self.entry.path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError):
            _trace("miss (no entry)")
            return None
        if data.get("format") != FORMAT or data.get("tools") != json.loads(json.dumps(_tools())):
            _trace("miss (ansopt or ansible-core changed)")
            return None
        stored = {s[0]: s for s in data.get("stamps", [])}
        try:
            now = self._world(data.get("extra", []))
        except _TooBig:
            _trace("miss (tree too large to stamp)")
            return None
        if set(now) != set(stored):
            _trace("miss (files added or removed)")
            return None
        for p, s in stored.items():
            n = now[p]
            if n[:4] != s[:4] or (s[4] is not None and _sha1(p) != s[4]):
                _trace(f"miss ({p} changed)")
                return None
        _trace("hit")
        try:
            os.utime(self.entry.path)  # recently used: pruned last
        except OSError:
            pass
        return data

    def begin(self) -> tuple[float, dict[str, Stamp]] | None:
        """Stamp the world before the run: what changes while the check runs is not stored.
        None when the tree is too large to stamp (nothing is cached then)."""
        try:
            return time.time(), self._world([])
        except _TooBig:
            return None

    def store(
        self,
        before: tuple[float, dict[str, Stamp]] | None,
        extra: list[str],
        out: str,
        err: str,
        code: int,
        output_file: str | None,
    ) -> None:
        if before is None or len(out) + len(err) > MAX_OUTPUT:
            return
        started, pre = before
        try:
            world = self._world(extra)
        except _TooBig:
            return
        if any(world.get(p, [None])[:4] != s[:4] for p, s in pre.items()) or set(world) - set(pre) - {
            os.path.abspath(p) for p in extra
        }:
            _trace("not stored (files changed during the run)")
            return
        for s in world.values():
            if s[1] == "file" and s[3] / 1e9 > started - RACY_S:
                s[4] = _sha1(s[0])  # may change again within the clock's resolution
        data = {
            "format": FORMAT,
            "tools": _tools(),
            "stamps": sorted(world.values()),
            "extra": sorted(set(extra)),
            "out": out,
            "err": err,
            "code": code,
            "output_file": output_file,
        }
        folder = os.path.dirname(self.entry.path)
        try:
            os.makedirs(folder, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".entry-", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f)
            os.replace(tmp, self.entry.path)
        except OSError:
            return  # a cache that cannot be written is no cache, never an error
        _prune(folder)


def _prune(folder: str) -> None:
    try:
        entries = [e for e in os.scandir(folder) if e.name.endswith(".json")]
    except OSError:
        return
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort(key=lambda e: e.stat().st_mtime if e.is_file() else 0)
    for e in entries[: len(entries) - MAX_ENTRIES]:
        try:
            os.unlink(e.path)
        except OSError:
            pass
