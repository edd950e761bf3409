"""Text helpers for findings: a message is one line of at most MAX_MESSAGE characters."""

from __future__ import annotations

MAX_MESSAGE = 120  # a finding's message fits one line of this many characters


def clip(text, width: int) -> str:
    """`text` on one line, cut to `width` characters (`...` marks the cut)."""
    s = " ".join(str(text).split())
    width = max(width, 4)
    return s if len(s) <= width else s[: width - 3] + "..."


def play_label(play, width: int = 30) -> str:
    """`play 'name'`, or `play on 'hosts'` for a play without a name, cut to fit a message."""
    return f"play '{clip(play.name, width)}'" if play.name else f"play on '{clip(play.hosts, width)}'"
