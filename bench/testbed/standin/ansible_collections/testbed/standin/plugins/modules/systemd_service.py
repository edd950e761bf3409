#!/usr/bin/python
"""Stand-in for ansible.builtin.systemd_service / service on testbed hosts."""

from __future__ import annotations

DOCUMENTATION = r"""
module: systemd_service
short_description: testbed stand-in for ansible.builtin.systemd_service
description: Records a service's state under the host's own folder and sleeps what a restart costs.
options:
  name: {type: str}
  state: {type: str}
  enabled: {type: bool}
  daemon_reload: {type: bool, default: false, aliases: [daemon-reload]}
author: [ansopt]
"""

import json
import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.testbed.standin.plugins.module_utils.standin import spend, state_dir


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", aliases=["service", "unit"]),
            state=dict(type="str", choices=["started", "stopped", "restarted", "reloaded"]),
            enabled=dict(type="bool"),
            daemon_reload=dict(type="bool", default=False, aliases=["daemon-reload"]),
        ),
        supports_check_mode=True,
    )
    p = module.params
    path = os.path.join(state_dir("services"), p["name"] or "daemon")
    old = {"state": "stopped", "enabled": False}
    if os.path.exists(path):
        with open(path) as fh:
            old = json.load(fh)
    new = dict(old)
    changed = False
    if p["daemon_reload"]:
        spend("service_noop")
    if p["enabled"] is not None and p["enabled"] != old["enabled"]:
        new["enabled"] = p["enabled"]
        changed = True
    if p["state"] in ("restarted", "reloaded") or (p["state"] == "started" and old["state"] != "started"):
        spend("service_restart")
        new["state"] = "started"
        changed = True
    elif p["state"] == "stopped" and old["state"] != "stopped":
        spend("service_restart")
        new["state"] = "stopped"
        changed = True
    else:
        spend("service_noop")
    if p["name"]:
        with open(path, "w") as fh:
            json.dump(new, fh, sort_keys=True)
    module.exit_json(changed=changed, name=p["name"], state=new["state"], enabled=new["enabled"])


if __name__ == "__main__":
    main()
