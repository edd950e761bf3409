"""Where the derived knowledge is kept, and when it is built again.

The file lives in ``$ANSOPT_CACHE_DIR``, else ``$XDG_CACHE_HOME/ansopt``, else
``~/.cache/ansopt``, and is named after the installed ansible-core's version and the format
version below: another ansible-core, or a change to the shape of the data, means another file
(older ones are deleted when the new one is written). Nothing here imports ansible-core: its
folder and version are found from the package's files.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

FORMAT = 13  # bump when the shape of the cached data changes


class KnowledgeError(RuntimeError):
    """ansible-core is missing or could not be read."""


def ansible_core_dir() -> Path | None:
    """The installed `ansible` package folder, found without importing it."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("ansible")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def ansible_core_version() -> str | None:
    """ansible-core's version, read from ansible/release.py without importing ansible."""
    d = ansible_core_dir()
    if d is None:
        return None
    try:
        text = (d / "release.py").read_text(encoding="utf-8")
    except OSError:
        return None
    m = re.search(r"""__version__\s*=\s*['"]([^'"]+)['"]""", text)
    return m.group(1) if m else None


def cache_dir() -> Path:
    env = os.environ.get("ANSOPT_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "ansopt"


def cache_file() -> Path:
    return cache_dir() / f"knowledge-{ansible_core_version() or 'none'}-f{FORMAT}.json"


def load_or_build(build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The cached data when the file for this ansible-core and format exists, else a fresh
    `build()` (the package passes `build.build_isolated`), written for the next run."""
    path = cache_file()
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        if data.get("format") == FORMAT:
            return data
    except (OSError, ValueError):
        pass
    data = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob("knowledge-*.json"):  # earlier versions and formats
            if old != path:
                try:
                    old.unlink()
                except OSError:
                    pass
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".knowledge-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f)
        os.replace(tmp, path)
    except OSError:  # an unwritable cache only costs speed
        pass
    return data
