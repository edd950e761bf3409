"""What ansopt knows about Ansible, derived from the installed ansible-core and cached.

Nothing here is a hand-written table of Ansible's settings, keywords or modules: the first
call imports ansible-core (in a child process, `build.build_isolated`), reads its config
definitions, plugin documentation, playbook keyword classes, module routing, fact collectors
and action plugins, and stores the result as JSON in the user cache (see `cache`), keyed by
the ansible-core version and the file's format version. Later runs read that JSON and never
import ansible-core. The one exception is `history`: ansible.cfg keys ansible-core already
removed, which the installed ansible-core cannot tell.

    build.py    the derivation (the only ansopt module that imports ansible)
    cache.py    cache folder and file, read or build-and-write, versioning
    queries.py  `Knowledge`: the lookups rules and the model make
    history.py  removed ansible.cfg keys
"""

from __future__ import annotations

from typing import Any

from . import cache
from .cache import FORMAT, KnowledgeError, ansible_core_dir, ansible_core_version, cache_dir, cache_file
from .queries import Knowledge

__all__ = [
    "FORMAT",
    "Knowledge",
    "KnowledgeError",
    "ansible_core_dir",
    "ansible_core_version",
    "cache_dir",
    "cache_file",
    "get",
    "load_or_build",
    "parse_kv",
]

_KNOWLEDGE: Knowledge | None = None


def _build() -> dict[str, Any]:
    from .build import build_isolated  # imports ansible-core's side only when building

    return build_isolated()


def load_or_build() -> dict[str, Any]:
    """The cached knowledge, or a fresh build written to the cache."""
    return cache.load_or_build(_build)


def get() -> Knowledge:
    """The knowledge of the installed ansible-core, read (or built) once per process."""
    global _KNOWLEDGE
    if _KNOWLEDGE is None:
        _KNOWLEDGE = Knowledge(load_or_build())
    return _KNOWLEDGE


def parse_kv(text: str, check_raw: bool = False) -> dict[str, str]:
    """ansible-core's k=v splitter for free-form arguments; imports ansible-core on first use."""
    from .build import parse_kv as core_parse_kv

    return core_parse_kv(text, check_raw=check_raw)
