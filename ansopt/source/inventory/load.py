"""Loading an inventory source: a file (format chosen as ansible-core's plugin order would
choose it) or a folder of them."""

from __future__ import annotations

import os
import re
from typing import Any

from ..yamlfile import YamlLoadError, YMap, YScalar, decode, load_text
from .ini import parse_ini
from .model import YAML_EXTENSIONS, Inventory
from .yamlinv import _deref, parse_yaml_inventory

SCRIPT_EXTENSIONS = (".py", ".sh", ".bash", ".rb", ".pl", ".php", ".js", ".ps1", ".exe")
# Names ansible-core skips when an inventory source is a folder: hidden files, the vars
# folders, and INVENTORY_IGNORE_EXTS (REJECT_EXTS + .orig .cfg .retry).
_DIR_IGNORED = re.compile(
    r"^\.|^host_vars$|^group_vars$|^vars_plugins$|"
    r"(\.pyc|\.pyo|\.swp|\.bak|~|\.rpm|\.md|\.txt|\.rst|\.orig|\.cfg|\.retry)$"
)


def _decode(raw: bytes, inv: Inventory, path: str) -> str:
    """UTF-8 text; invalid bytes are tolerated on comment lines only, as ansible-core's INI
    plugin does (they become errors elsewhere)."""
    try:
        return decode(raw)
    except YamlLoadError:
        pass
    lines = []
    for n, bline in enumerate(raw.split(b"\n"), 1):
        try:
            lines.append(bline.decode("utf-8"))
        except UnicodeDecodeError:
            if bline[:1] in (b"#", b";"):
                lines.append("")
            else:
                lines.append(bline.decode("utf-8", "replace"))
                inv._error("not valid UTF-8", n, 1, path)
    return "\n".join(lines)


def _plugin_name(root: Any) -> Any:
    if isinstance(root, YMap):
        node = _deref(root.get("plugin"))
        if node is not None:
            value = node.to_data()
            if value:
                return value
    return None


def _parse_source(inv: Inventory, path: str, text: str | None, raw: bytes | None = None) -> bool:
    """Read one inventory file into `inv`. False when it is not an inventory at all."""
    if text is None:
        text = _decode(raw or b"", inv, path)
    inv.sources.append(path)
    ext = os.path.splitext(path)[1]
    body = text.lstrip("\ufeff")
    if ext.lower() == ".toml":
        inv.format = inv.format or "toml"
        inv._warn("TOML inventory: not analysed by ansopt", 0, 0, path)
        return True
    if body.startswith("#!") or ext.lower() in SCRIPT_EXTENSIONS:
        inv.dynamic = True
        inv.format = inv.format or "script"
        return True
    if body.lstrip().startswith("$ANSIBLE_VAULT;"):
        inv.encrypted = True
        inv.format = inv.format or "vault"
        return True
    if ext == "" or ext in YAML_EXTENSIONS:
        try:
            yf = load_text(path, text)
        except YamlLoadError as e:
            if ext in YAML_EXTENSIONS and not ini_succeeds(path, text):
                # ansible-core's yaml plugin fails, and so does the ini plugin after it.
                inv.format = inv.format or "yaml"
                inv._error(e.message, e.line, e.col, path)
                return True
        else:
            root = _deref(yf.root)
            plugin = _plugin_name(root)
            if plugin is not None:
                inv.plugin = str(plugin)
                inv.format = inv.format or "plugin"
                return True
            if isinstance(root, YMap) and root.pairs:
                inv.format = inv.format or "yaml"
                if len(yf.docs) > 1:
                    inv._error("expected a single document in the stream", *yf.position(yf.docs[1].start), path)
                return parse_yaml_inventory(inv, yf, path)
            # Empty, a scalar or a list: ansible-core's yaml plugin refuses it and the ini
            # plugin gets its turn. A list in a YAML file is a playbook or a task list.
            if (
                ext in YAML_EXTENSIONS
                and root is not None
                and not isinstance(root, YScalar)
                and not ini_succeeds(path, text)
            ):
                return False
    inv.format = inv.format or "ini"
    before = len(inv.errors)
    if not parse_ini(inv, text, path):
        del inv.errors[before:]
        return False
    return True


def ini_succeeds(path: str, text: str) -> bool:
    """ansible-core's ini inventory plugin reads the text without an error."""
    probe = Inventory(path)
    return parse_ini(probe, text, path) and not probe.errors


def load_inventory(path: str, text: str | None = None) -> Inventory | None:
    """Read an inventory source (a file, or a folder of them as ansible-core reads folders).

    Returns an Inventory (with `errors` filled when ansible-core would refuse it, `dynamic`
    set for scripts, `plugin` for inventory plugin configurations), or None when the file is
    plainly not an inventory (a settings file, a playbook, a vars file). Never raises."""
    inv = Inventory(path=path)
    try:
        if text is None and os.path.isdir(path):
            inv.format = "dir"
            _load_dir(inv, path)
            inv._reconcile()
            return inv
        raw = None
        if text is None:
            try:
                with open(path, "rb") as f:
                    raw = f.read()
            except OSError as e:
                inv._error(f"cannot read inventory: {e.strerror or e}")
                return inv
        if not _parse_source(inv, path, text, raw):
            return None
        inv._reconcile()
    except Exception as e:  # pragma: no cover - a bug here must not stop a lint run
        inv._error(f"ansopt could not read this inventory ({type(e).__name__}: {e})")
    return inv


def _load_dir(inv: Inventory, folder: str) -> None:
    try:
        names = sorted(os.listdir(folder))
    except OSError as e:
        inv._error(f"cannot read inventory folder: {e.strerror or e}", path=folder)
        return
    for name in names:
        if _DIR_IGNORED.search(name):
            continue
        full = os.path.join(folder, name)
        if os.path.isdir(full):
            _load_dir(inv, full)
            continue
        try:
            with open(full, "rb") as f:
                raw = f.read()
        except OSError as e:
            inv._error(f"cannot read inventory: {e.strerror or e}", path=full)
            continue
        if not _parse_source(Inventory(path=full), full, None, raw):
            inv._warn(f"Unable to parse {full} as an inventory source", path=full)
            continue
        _parse_source(inv, full, None, raw)
