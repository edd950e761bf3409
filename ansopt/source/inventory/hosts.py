"""Host addresses in inventory entries: `host:port`, `[ipv6]:port`, and the host ranges
`[01:20]`, `[a:f]`, `[1:10:2]`, as ansible-core's `ansible.parsing.utils.addresses` and
`expand_hostname_range` read them."""

from __future__ import annotations

import ipaddress
import re
import string
from collections.abc import Iterable
from typing import Any

MAX_EXPANDED_HOSTS = 100_000  # a range that expands past this is not expanded (warning)
_RANGE = r"\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]"
_LABEL = rf"(?:\w|{_RANGE})(?:[\w-]|{_RANGE})*(?<![_-])"
_HOSTNAME_RX = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*$", re.I)
_BRACKETED_PORT_RX = re.compile(r"^\[(.+)\]:([0-9]+)$")
_HOST_PORT_RX = re.compile(r"^((?:[^:\[\]]|\[[^\]]*\])*):([0-9]+)$")
_HEX_RANGE_RX = re.compile(r"\[[0-9a-f]+:[0-9a-f]+(?::[0-9]+)?\]", re.I)


def _is_ipv6(address: str) -> bool:
    if not address or "%" in address or "/" in address:
        return False
    try:
        ipaddress.IPv6Address(_HEX_RANGE_RX.sub("0", address))
    except ValueError:
        return False
    return True


def parse_address(address: str) -> tuple[str, int | None]:
    """(host, port) of a host identifier with an optional port, ranges allowed, as
    ansible-core's `parse_address(..., allow_ranges=True)`; ValueError when it is not one."""
    port = None
    for rx in (_BRACKETED_PORT_RX, _HOST_PORT_RX):
        m = rx.match(address)
        if m:
            address, port = m.group(1), int(m.group(2))
    if _HOSTNAME_RX.match(address) or _is_ipv6(address):
        return address, port
    raise ValueError(f"Not a valid network hostname: {address}")


class HostRangeError(ValueError):
    pass


def expand_hostname_range(name: str, limit: int = MAX_EXPANDED_HOSTS) -> list[str]:
    """Expand `[x:y]`/`[x:y:step]` ranges (numeric with zero-padding kept, or letters) in a
    host name, several ranges included, as ansible-core's expand_hostname_range does."""
    if "[" not in name:
        return [name]
    parts = name.replace("[", "|", 1).replace("]", "|", 1).split("|")
    if len(parts) != 3:
        raise HostRangeError(f"cannot expand host range in {name!r}")
    head, nrange, tail = parts
    bounds = nrange.split(":")
    if len(bounds) not in (2, 3):
        raise HostRangeError("host range must be begin:end or begin:end:step")
    beg, end = bounds[0], bounds[1]
    step: Any = bounds[2] if len(bounds) == 3 else 1
    if not beg:
        beg = "0"
    if not end:
        raise HostRangeError("host range must specify end value")
    width = 0  # zero-padding kept: str(x).zfill(0) is str(x)
    if beg[0] == "0" and len(beg) > 1:
        width = len(beg)
        if width != len(end):
            raise HostRangeError("host range must specify equal-length begin and end formats")
    seq: Iterable[Any]
    try:
        i_beg = string.ascii_letters.index(beg)
        i_end = string.ascii_letters.index(end)
        if i_beg > i_end:
            raise HostRangeError("host range must have begin <= end")
        seq = list(string.ascii_letters[i_beg : i_end + 1 : int(step)])
    except HostRangeError:
        raise
    except ValueError:  # not an alphabetic range
        try:
            seq = range(int(beg), int(end) + 1, int(step))
        except ValueError as e:
            raise HostRangeError(f"invalid host range [{nrange}]: {e}") from None
    if len(seq) > limit:
        raise HostRangeError(f"host range [{nrange}] expands to {len(seq)} names, more than ansopt expands ({limit})")
    out: list[str] = []
    for item in seq:
        hname = head + str(item).zfill(width) + tail
        if "[" in hname:
            out.extend(expand_hostname_range(hname, max(1, limit // max(1, len(seq)))))
        else:
            out.append(hname)
    return out


def expand_hostpattern(pattern: str) -> tuple[list[str], int | None]:
    """(host names, port) of an inventory host entry (ansible-core's _expand_hostpattern)."""
    try:
        host, port = parse_address(pattern)
    except ValueError:
        host, port = pattern, None
    return expand_hostname_range(host), port
