"""What the stand-ins share: the host's own state folder and the configured durations.

The testbed's sshd sets TESTBED_ROOT (this host's own folder), TESTBED_HOST (its name) and
TESTBED_CONFIG (a JSON file of durations in seconds, and a factor per host so that hosts are not
all equally fast, as in a real fleet).
"""

from __future__ import annotations

import json
import os
import time

DEFAULTS = {
    "apt_update": 4.0,  # apt-get update against a LAN mirror
    "apt_transaction": 2.5,  # one dpkg transaction: lock, resolve, unpack, triggers
    "apt_per_package": 0.6,  # each package in the transaction
    "apt_check": 0.4,  # opening the apt cache to find everything installed
    "image_pull": 20.0,  # docker pull of an absent multi-GB image from a near registry
    "image_check": 1.5,  # docker pull of an image already present (manifest check)
    "compose_up": 3.0,  # docker compose up -d creating or recreating containers
    "compose_noop": 0.6,  # docker compose up -d with nothing to change
    "download": 15.0,  # a model download of a few GB
    "download_check": 0.1,  # get_url finding the file present (no checksum)
    "service_restart": 1.0,
    "service_noop": 0.1,
    "host_factor": {},
}


def config():
    data = dict(DEFAULTS)
    path = os.environ.get("TESTBED_CONFIG")
    if path and os.path.exists(path):
        with open(path) as fh:
            data.update(json.load(fh))
    return data


def spend(key, count=1.0):
    """Sleep what `key` costs on this host (scaled by the host's factor)."""
    cfg = config()
    factor = float(cfg.get("host_factor", {}).get(os.environ.get("TESTBED_HOST", ""), 1.0))
    seconds = float(cfg[key]) * count * factor
    if seconds > 0:
        time.sleep(seconds)
    return seconds


def state_dir(*parts):
    root = os.environ.get("TESTBED_ROOT")
    if not root:
        raise RuntimeError("TESTBED_ROOT is not set: stand-ins run only on testbed hosts")
    path = os.path.join(root, "var", "lib", "standin", *parts)
    os.makedirs(path, exist_ok=True)
    return path
