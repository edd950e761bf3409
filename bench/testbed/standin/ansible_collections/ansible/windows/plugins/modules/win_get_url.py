DOCUMENTATION = r"""
module: win_get_url
short_description: name-only stand-in (ansopt testbed)
description: Resolves the module name offline; the testbed has no Windows host.
options: {}
author: [ansopt]
"""
