"""Files as a run reads them: from disk, or from the fix engine's pending edits."""

from __future__ import annotations

import os

from .yamlfile import decode


class Reader:
    """File contents, with in-memory replacements (the fix engine's pending edits).

    `touched` (shared by every reader of the process) collects each path looked at or read:
    the result cache stamps those outside the checked trees."""

    touched: set[str] = set()

    def __init__(self, overlay: dict[str, str] | None = None):
        self.overlay = overlay if overlay is not None else {}

    def exists(self, abspath: str) -> bool:
        Reader.touched.add(abspath)
        return abspath in self.overlay or os.path.isfile(abspath)

    def read(self, abspath: str) -> str:
        Reader.touched.add(abspath)
        if abspath in self.overlay:
            return self.overlay[abspath]
        with open(abspath, "rb") as f:
            return decode(f.read())

    def read_lenient(self, abspath: str) -> str:
        """The text with undecodable bytes escaped (as Ansible reads templates and INI
        inventories): for scanning and positions, never for editing."""
        Reader.touched.add(abspath)
        if abspath in self.overlay:
            return self.overlay[abspath]
        with open(abspath, "rb") as f:
            return f.read().decode("utf-8", "surrogateescape")
