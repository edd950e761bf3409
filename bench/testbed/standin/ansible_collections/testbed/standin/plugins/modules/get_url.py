#!/usr/bin/python
"""Stand-in for ansible.builtin.get_url on testbed hosts: no network, a configured duration."""

from __future__ import annotations

DOCUMENTATION = r"""
module: get_url
short_description: testbed stand-in for ansible.builtin.get_url
description: Writes dest as a download would, after sleeping what the download costs; skips when dest exists.
options:
  url: {type: str, required: true}
  dest: {type: path, required: true}
  checksum: {type: str, default: ''}
  force: {type: bool, default: false}
  mode: {type: raw}
  timeout: {type: int, default: 10}
author: [ansopt]
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.testbed.standin.plugins.module_utils.standin import spend


def main():
    module = AnsibleModule(
        argument_spec=dict(
            url=dict(type="str", required=True),
            dest=dict(type="path", required=True),
            checksum=dict(type="str", default=""),
            force=dict(type="bool", default=False),
            mode=dict(type="raw"),
            timeout=dict(type="int", default=10),
        ),
        add_file_common_args=False,
        supports_check_mode=True,
    )
    p = module.params
    dest = p["dest"]
    if os.path.isdir(dest):
        dest = os.path.join(dest, os.path.basename(p["url"]))
    if os.path.exists(dest) and not p["force"]:
        spend("download_check")
        module.exit_json(changed=False, dest=dest, url=p["url"])
    spend("download")
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with open(dest, "w") as fh:
        fh.write(p["url"] + "\n")
    module.exit_json(changed=True, dest=dest, url=p["url"])


if __name__ == "__main__":
    main()
