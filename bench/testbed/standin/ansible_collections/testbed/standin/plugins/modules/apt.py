#!/usr/bin/python
"""Stand-in for ansible.builtin.apt on testbed hosts: records packages, sleeps their cost."""

from __future__ import annotations

DOCUMENTATION = r"""
module: apt
short_description: testbed stand-in for ansible.builtin.apt
description: Records installed packages under the host's own folder and sleeps what an apt run costs.
options:
  name: {type: list, elements: str, aliases: [package, pkg]}
  state: {type: str, default: present}
  update_cache: {type: bool, default: false, aliases: [update-cache]}
  cache_valid_time: {type: int, default: 0}
  upgrade: {type: str, default: 'no'}
  install_recommends: {type: bool}
  autoremove: {type: bool, default: false}
  force_apt_get: {type: bool, default: false}
  lock_timeout: {type: int, default: 60}
author: [ansopt]
"""

import os
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.testbed.standin.plugins.module_utils.standin import spend, state_dir


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="list", elements="str", aliases=["package", "pkg"]),
            state=dict(
                type="str",
                default="present",
                choices=["present", "latest", "absent", "installed", "fixed", "build-dep"],
            ),
            update_cache=dict(type="bool", default=False, aliases=["update-cache"]),
            cache_valid_time=dict(type="int", default=0),
            upgrade=dict(type="str", default="no"),
            install_recommends=dict(type="bool"),
            autoremove=dict(type="bool", default=False),
            force_apt_get=dict(type="bool", default=False),
            lock_timeout=dict(type="int", default=60),
        ),
        supports_check_mode=True,
    )
    p = module.params
    changed = False
    cache_updated = False
    stamp = os.path.join(state_dir(), "apt-cache-stamp")
    if p["update_cache"]:
        age = time.time() - os.path.getmtime(stamp) if os.path.exists(stamp) else None
        if age is None or not p["cache_valid_time"] or age > p["cache_valid_time"]:
            spend("apt_update")
            with open(stamp, "w") as fh:
                fh.write("updated\n")
            cache_updated = True
    pkgs = state_dir("packages")
    names = [n.split("=")[0] for n in (p["name"] or [])]
    spend("apt_check")
    if p["state"] == "absent":
        todo = [n for n in names if os.path.exists(os.path.join(pkgs, n))]
        if todo:
            spend("apt_transaction")
            spend("apt_per_package", len(todo))
            for n in todo:
                os.unlink(os.path.join(pkgs, n))
    else:
        todo = [n for n in names if not os.path.exists(os.path.join(pkgs, n))]
        if todo:
            spend("apt_transaction")
            spend("apt_per_package", len(todo))
            for n in todo:
                with open(os.path.join(pkgs, n), "w") as fh:
                    fh.write("installed\n")
    if p["upgrade"] not in ("no", "false", "False"):
        spend("apt_transaction")
    changed = bool(todo) or cache_updated
    module.exit_json(changed=changed, cache_updated=cache_updated, packages=todo)


if __name__ == "__main__":
    main()
