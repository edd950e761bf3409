"""Ansible inventories, read the way ansible-core's `ini` and `yaml` inventory plugins read them,
without importing ansible-core, and with the position of every host, group and variable.

Modules, each importing only those above it: `hosts` (addresses, ranges), `patterns` (play host
patterns), `model` (`Inventory` and its data classes), `ini` and `yamlinv` (the readers),
`load` (`load_inventory`: files and folders), `vars` (group_vars/host_vars, vars files).

What is mirrored (ansible-core 2.19 is the reference):

* Source selection. ansible-core tries its inventory plugins in order (script, auto, yaml, ini,
  toml) and keeps the first that succeeds. Here: a file starting with ``#!`` (or named
  ``*.py``/``*.sh``...) is a dynamic inventory script (``dynamic=True``, no hosts); a YAML
  mapping with a ``plugin:`` key is an inventory plugin configuration (``plugin=<name>``, no
  hosts); a vault-encrypted file is ``encrypted=True``; ``*.toml`` is ``format="toml"`` (not
  analysed). A file with no extension or a ``.yml/.yaml/.json`` extension is read as a YAML
  inventory when it is a YAML mapping, otherwise as INI (as ansible-core falls back from the
  yaml plugin to the ini plugin); anything else is INI.
* INI: lines are stripped and split as ``str.splitlines`` splits them; ``#``/``;`` comment
  lines; hosts before any section go to ``ungrouped``; ``[g]``, ``[g:vars]``, ``[g:children]``
  with the same section and group-name rules, the same pending-declaration checks
  (``[g:vars]`` or a child for a group never declared is an error); host lines split with
  ``shlex.split(line, comments=True)`` (a ``#`` inside a token starts a comment, as there);
  values through ``ast.literal_eval`` when it succeeds (``True`` -> bool, ``22`` -> int,
  ``[1, 2]`` -> list, ``yes``/``0644`` stay strings), ``[g:vars]`` values split at the first
  ``=`` without shlex.
* YAML: top-level keys are groups; ``hosts``/``vars``/``children`` (a bare string is a one-entry
  mapping); hosts map to a vars mapping or null; unknown keys and non-mapping groups are skipped
  with a warning, like ansible-core; wrong section types are errors.
* Host patterns: ``host:port`` and ``[ipv6]:port`` set ``ansible_port`` (only when the host is
  first created, as ansible-core's ``Host(name, port)`` does); ranges ``[01:20]`` (zero-padding
  kept), ``[a:f]``, ``[1:10:2]``, several ranges per name; the address rules of
  ``ansible.parsing.utils.addresses`` decide what is a host and what is a port.
* Reconciliation: every group without a parent becomes a child of ``all``; hosts in no group
  but ``all`` go to ``ungrouped``; hosts in any other group leave ``ungrouped``.
* Host patterns for plays (``resolve_pattern``) and variable precedence (``var_sources``): see
  those methods.

`errors` lists what would make ansible-core refuse the source (it stops at the first; this
parser records each and carries on, so the rest of the file is still analysed); `warnings` what
ansible-core only warns about. Every error is an `InventoryError`, a `str` that also has
`.line`, `.col` and `.path`. `load_inventory` never raises. Lines and columns are 1-based and
count lines as editors do (``\\n``, ``\\r\\n``, ``\\r``), even where ``str.splitlines`` splits
further.

Where ansopt deliberately differs from ansible-core:

* `load_inventory` returns None for files that are plainly not inventories, which
  ansible-core would read as nonsense or with warnings only: an INI file whose every host line
  is a ``key = value``/``key: value`` setting (ansible-core would even accept ``Width=100`` as
  a host name), a YAML list (a playbook) in a ``.yml`` file, a YAML mapping with no group
  definition at all (a vars file).
* ``*.py``, ``*.sh``... without a shebang count as scripts (ansible-core needs the executable
  bit; the executable bit itself is not looked at, as ansible-core falls back to the static
  parsers when running the file fails).
* Below the first level of child groups ansible-core orders a group's hosts through a Python
  set (the order can change between runs); here it is breadth first in file order.
* A host range that expands to more than `MAX_EXPANDED_HOSTS` names is not expanded (warning).
* Config that changes the reading is not consulted: ``hash_behaviour = merge``, a custom
  ``VARIABLE_PRECEDENCE``, ``TRANSFORM_INVALID_GROUP_CHARS = always`` (the default, ``never``,
  keeps group names as written, which is what this module does), extra vars plugins, enabled
  inventory plugin lists. TOML inventories are recognised but not analysed.
"""

from __future__ import annotations

from .load import load_inventory
from .model import HostSet, Inventory, InventoryError, VarPos, VarsDir, VarSource
from .vars import load_vars_dir, load_vars_file

__all__ = [
    "HostSet",
    "Inventory",
    "InventoryError",
    "VarPos",
    "VarSource",
    "VarsDir",
    "load_inventory",
    "load_vars_dir",
    "load_vars_file",
]
