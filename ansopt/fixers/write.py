"""Writing a fixed file: atomically, so a crash or a full disk never leaves half a file.

The text goes to a temporary file in the same folder, then a rename replaces the file; the
mode (and, where allowed, the owner) is kept, and a symlink's target is written (the link
stays a link).
"""

from __future__ import annotations

import os
import stat
import tempfile


def write_atomic(path: str, text: str) -> None:
    """Write `text` (UTF-8) to `path` atomically, keeping its mode; follow a symlink.

    Refused (OSError, nothing written): a file without write permission, and a file with
    other hard links (a rename would split them)."""
    target = os.path.realpath(path)
    directory = os.path.dirname(target) or "."
    try:
        st = os.stat(target)
        mode = stat.S_IMODE(st.st_mode)
        owner = (st.st_uid, st.st_gid)
        if not os.access(target, os.W_OK) or not (mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)):
            raise PermissionError(13, "the file is read-only")
        if st.st_nlink > 1:
            raise OSError(31, f"the file has {st.st_nlink} hard links; replacing it would split them")
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
        owner = None
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(target)}.", suffix=".ansopt-tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        if owner is not None and hasattr(os, "chown"):
            try:
                os.chown(tmp, *owner)
            except OSError:
                pass
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
