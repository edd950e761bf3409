"""Effective ansible.cfg settings: the value ansible-core would use, and where it came from.

For every option the catalogue (ansible-core's own definitions, see `ansopt.knowledge`)
lists the INI (section, key) pairs that can set it. ansible-core reads them in that order
and the last one present wins (for the ssh plugin's `pipelining`: `[defaults]`, then
`[connection]`, then `[ssh_connection]`). Absent from the file, the catalogue's default
applies. Environment variables are not considered: they are not part of the project.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import knowledge
from ..source.cfgfile import CfgFile, CfgOption


@dataclass(frozen=True)
class Setting:
    name: str
    raw: Any  # the text from the file, or the catalogue default
    option: CfgOption | None  # where it was set; None = ansible-core's default
    type: str
    default: Any

    @property
    def from_file(self) -> bool:
        return self.option is not None

    @property
    def as_bool(self) -> bool:
        return knowledge.get().boolean(self.raw)

    @property
    def as_int(self) -> int | None:
        try:
            return int(str(self.raw).strip())
        except (TypeError, ValueError):
            return None

    @property
    def as_list(self) -> list[str]:
        if isinstance(self.raw, list):
            return [str(x) for x in self.raw]
        if self.raw is None:
            return []
        return [p.strip() for p in str(self.raw).split(",") if p.strip()]


class EffectiveConfig:
    def __init__(self, cfg: CfgFile | None):
        self.cfg = cfg
        self.K = knowledge.get()

    def _lookup(self, defn: dict[str, Any]) -> CfgOption | None:
        found = None
        if self.cfg is None:
            return None
        for section, key in defn.get("ini", []):
            opt = self.cfg.get(section, key)
            if opt is not None:
                found = opt
        return found

    def _setting(self, name: str, defn: dict[str, Any] | None) -> Setting:
        if defn is None:
            return Setting(name, None, None, "string", None)
        opt = self._lookup(defn)
        default = defn.get("default")
        return Setting(name, opt.value if opt is not None else default, opt, defn.get("type", "string"), default)

    def base(self, name: str) -> Setting:
        return self._setting(name, self.K.base_option(name))

    def plugin(self, ptype: str, pname: str, option: str) -> Setting:
        return self._setting(f"{ptype}.{pname}.{option}", self.K.plugin_options(ptype, pname).get(option))
