"""Ansible plugins shipped with ansopt.

`ansopt_timing` (callback): real per-task timings of a run, printed as a summary at the end
and written as JSON lines. Enable it in ansible.cfg:

    [defaults]
    callback_plugins = <the folder `ansopt callback-path` (or `python -m ansopt.ansible_plugins`) prints>
    callbacks_enabled = ansopt_timing
"""

from pathlib import Path

CALLBACK_DIR = Path(__file__).parent / "callback"
