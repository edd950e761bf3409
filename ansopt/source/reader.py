"""Files as a run reads them: from disk, or from the fix engine's pending edits."""

from __future__ import annotations

import os

from .yamlfile import decode


class Reader:
    """File contents, with in-memory replacements (the fix engine's pending edits)."""

    def __init__(self, overlay: dict[str, str] | None = None):
        self.overlay = overlay if overlay is not None else {}

    def exists(self, abspath: str) -> bool:
        return abspath in self.overlay or os.path.isfile(abspath)

    def read(self, abspath: str) -> str:
        if abspath in self.overlay:
            return self.overlay[abspath]
        with open(abspath, "rb") as f:
            return decode(f.read())

    def read_lenient(self, abspath: str) -> str:
        """The text with undecodable bytes escaped (as Ansible reads templates and INI
        inventories): for scanning and positions, never for editing."""
        if abspath in self.overlay:
            return self.overlay[abspath]
        with open(abspath, "rb") as f:
            return f.read().decode("utf-8", "surrogateescape")
