"""The reference fleet's variants, staged for a testbed, and the hosts' end state.

Variants (``sample_playbooks/gpu-fleet/``):

* ``defaults``: ``before/`` with ``defaults.cfg`` (ansible-core's defaults) as its ansible.cfg;
* ``lost-cp``: ``before/`` as people leave it (a custom ``ssh_args`` that lost ControlPersist);
* ``ansopt``: ``defaults`` after ``ansopt fix --write --unsafe-fixes`` (the default selection);
* ``ansopt-all``: the same with ``--select ALL`` (the opt-in rules too);
* ``ansopt-lost-cp``: ``lost-cp`` after ``ansopt fix --write --unsafe-fixes``;
* ``hand-tuned``: ``hand-tuned/``, what an expert writes from the performance guide.

Staging copies the variant, writes an inventory of the testbed's hosts into it (so that
``ansopt fix`` sees the real host count), runs ansopt where the variant says so, then maps the
modules that need the internet or change the machine to the stand-ins of ``standin/`` (the
same mapping for every variant, after ansopt has read the project) and adds the stand-in
collections beside the playbooks.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from configparser import ConfigParser
from dataclasses import dataclass
from pathlib import Path

from .net import Testbed

REPO = Path(__file__).resolve().parents[2]
FLEET = REPO / "sample_playbooks" / "gpu-fleet"
STANDIN = Path(__file__).with_name("standin")
PLAYBOOK = "site.yml"
LIMIT = "linux"  # the testbed has no Windows host


@dataclass(frozen=True)
class Variant:
    name: str
    source: str  # folder under FLEET
    cfg: str | None = None  # replaces ansible.cfg
    fix: tuple[str, ...] | None = None  # ansopt fix arguments, None: not fixed
    about: str = ""
    mitogen: bool = False  # run under Mitogen's strategy plugin (pip install mitogen)


VARIANTS = {
    v.name: v
    for v in (
        Variant("defaults", "before", cfg="defaults.cfg", about="ansible-core's defaults"),
        Variant("lost-cp", "before", about="custom ssh_args without ControlPersist"),
        Variant("ansopt", "before", cfg="defaults.cfg", fix=(), about="defaults + ansopt fix --unsafe-fixes"),
        Variant(
            "ansopt-all",
            "before",
            cfg="defaults.cfg",
            fix=("--select", "ALL"),
            about="defaults + ansopt fix --unsafe-fixes --select ALL",
        ),
        Variant("ansopt-lost-cp", "before", fix=(), about="lost-cp + ansopt fix --unsafe-fixes"),
        Variant("hand-tuned", "hand-tuned", about="tuned by hand from the guide"),
        Variant(
            "mitogen",
            "before",
            cfg="defaults.cfg",
            mitogen=True,
            about="ansible-core's defaults under Mitogen's mitogen_linear strategy: what a person might pick instead",
        ),
    )
}

# modules that would need the internet or change the machine -> the testbed's stand-ins
STANDIN_MODULES = {
    "apt": "testbed.standin.apt",
    "get_url": "testbed.standin.get_url",
    "systemd": "testbed.standin.systemd_service",
    "systemd_service": "testbed.standin.systemd_service",
    "service": "testbed.standin.systemd_service",
}
_MODULE_KEY = re.compile(
    r"^(?P<lead>[ \t]*(?:-[ \t]+)?)(?:ansible\.builtin\.|ansible\.legacy\.)?(?P<mod>"
    + "|".join(STANDIN_MODULES)
    + r"):(?=[ \t]|$)",
    re.M,
)


def ansopt_argv() -> list[str]:
    return [sys.executable, "-m", "ansopt"]


def write_inventory(stage: Path, tb: Testbed) -> None:
    """The fleet's inventory with the testbed's hosts in gpu_12gb (the Windows host stays)."""
    lines = [
        "# The GPU fleet on the ansopt testbed: the Linux hosts are network-namespace hosts.",
        "[gpu_8gb]",
        "armitage ansible_host=192.168.1.30",
        "",
        "[gpu_12gb]",
    ]
    for h in tb.hosts:
        addr, port = tb.endpoint(h)
        lines.append(
            f"{h.name} ansible_host={addr} ansible_port={port} ansible_user=root gpu_root={h.root / 'opt' / 'gpu'}"
        )
    lines += [
        "",
        "[linux:children]",
        "gpu_12gb",
        "",
        "[windows:children]",
        "gpu_8gb",
        "",
        "[windows:vars]",
        "ansible_connection=winrm",
        "ansible_winrm_transport=ntlm",
        "ansible_port=5986",
        "",
    ]
    (stage / "inventory.ini").write_text("\n".join(lines))


def map_standins(stage: Path) -> int:
    """Point the package, download and service modules at the stand-ins; how many tasks."""
    count = 0
    for path in sorted(stage.rglob("*.yml")):
        if "collections" in path.relative_to(stage).parts:
            continue
        text = path.read_text()
        new, n = _MODULE_KEY.subn(lambda m: f"{m['lead']}{STANDIN_MODULES[m['mod']]}:", text)
        if n:
            path.write_text(new)
            count += n
    shutil.copytree(STANDIN / "ansible_collections", stage / "collections" / "ansible_collections", dirs_exist_ok=True)
    return count


# Playbooks from outside the fleet copied into every variant (`--playbook PATH`: the
# harness's own test runs a short one), before ansopt reads the copy.
EXTRA_PLAYBOOKS: list[Path] = []


def _copy_variant(variant: Variant, dest: Path) -> None:
    shutil.copytree(FLEET / variant.source, dest)
    for extra in EXTRA_PLAYBOOKS:
        shutil.copy(extra, dest / extra.name)


def stage(variant: Variant, dest: Path, tb: Testbed, extra_fix: tuple[str, ...] = ()) -> list[str]:
    """Build `variant` in `dest` for `tb`; return the codes of the fixes ansopt applied."""
    if dest.exists():
        shutil.rmtree(dest)
    _copy_variant(variant, dest)
    if variant.cfg:
        shutil.copy(FLEET / variant.cfg, dest / "ansible.cfg")
    if variant.mitogen:
        use_mitogen(dest / "ansible.cfg")
    write_inventory(dest, tb)
    applied: list[str] = []
    if variant.fix is not None:
        argv = [*ansopt_argv(), "fix", "--write", "--unsafe-fixes", "--format", "json", *variant.fix, *extra_fix, "."]
        done = subprocess.run(argv, cwd=dest, capture_output=True, text=True, timeout=120)
        if done.returncode not in (0, 1):
            raise RuntimeError(f"ansopt fix failed in {dest}: {done.stderr.strip()}")
        applied = fixed_codes(dest, variant, extra_fix)
    map_standins(dest)
    return applied


def use_mitogen(cfg: Path) -> None:
    """Switch a staged ansible.cfg to Mitogen's strategy plugin (the documented two lines)."""
    try:
        import ansible_mitogen
    except ImportError as e:
        raise RuntimeError("the mitogen variant needs Mitogen in this Python: pip install mitogen") from e
    plugins = Path(ansible_mitogen.__file__).parent / "plugins" / "strategy"
    text = cfg.read_text()
    lines = f"[defaults]\nstrategy_plugins = {plugins}\nstrategy = mitogen_linear\n"
    if "[defaults]\n" not in text:
        raise RuntimeError(f"{cfg}: no [defaults] section to add Mitogen's strategy to")
    cfg.write_text(text.replace("[defaults]\n", lines, 1))


def fixed_codes(dest: Path, variant: Variant, extra_fix: tuple[str, ...]) -> list[str]:
    """The rules ansopt fixed: what a check of the untouched variant reports with a fix,
    minus what is still reported in the fixed copy."""
    base = dest.with_name(dest.name + ".orig")
    if base.exists():
        shutil.rmtree(base)
    _copy_variant(variant, base)
    if variant.cfg:
        shutil.copy(FLEET / variant.cfg, base / "ansible.cfg")
    shutil.copy(dest / "inventory.ini", base / "inventory.ini")
    try:
        before = _codes(base, (*(variant.fix or ()), *extra_fix))
        after = _codes(dest, (*(variant.fix or ()), *extra_fix))
    finally:
        shutil.rmtree(base)
    return sorted(set(before) - set(after))


def _codes(folder: Path, selection: tuple[str, ...]) -> list[str]:
    import json

    done = subprocess.run(
        [*ansopt_argv(), "check", "--format", "json", *selection, "."],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode not in (0, 1):
        raise RuntimeError(f"ansopt check failed in {folder}: {done.stderr.strip()}")
    data = json.loads(done.stdout or "[]")
    items = data["findings"] if isinstance(data, dict) else data
    return [f["code"] for f in items if f.get("fix") or f.get("fixable")]


def differing_files(a: Path, b: Path) -> list[str]:
    """Files (relative) whose bytes differ between two staged copies, or that one lacks."""

    def files(root: Path) -> dict[str, bytes]:
        return {
            str(p.relative_to(root)): p.read_bytes()
            for p in root.rglob("*")
            if p.is_file() and "collections" not in p.relative_to(root).parts
        }

    fa, fb = files(a), files(b)
    return sorted(k for k in fa.keys() | fb.keys() if fa.get(k) != fb.get(k))


def fact_cache_dirs(stage: Path, home: Path) -> list[Path]:
    """Where the staged variant's jsonfile fact cache lives (to empty it for a first run)."""
    cp = ConfigParser(interpolation=None, strict=False, inline_comment_prefixes=(";",))
    cp.read(stage / "ansible.cfg")
    out = [home / ".ansible" / "fact_cache"]
    where = cp.get("defaults", "fact_caching_connection", fallback=None)
    if where:
        where = where.strip().strip("'\"")
        p = Path(where.replace("~", str(home), 1) if where.startswith("~") else where)
        out.append(p if p.is_absolute() else stage / p)
    return out


def end_state(root: Path) -> dict[str, str]:
    """What the playbooks left on one host: every file outside its home, by content hash
    (the apt cache stamp by presence only: its time differs from run to run)."""
    state: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if rel.parts[:1] == ("home",) or not path.is_file():
            continue
        if path.name == "apt-cache-stamp":
            state[str(rel)] = "present"
            continue
        state[str(rel)] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return state


def syntax_check(stage: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    exe = shutil.which("ansible-playbook", path=os.path.dirname(sys.executable)) or "ansible-playbook"
    return subprocess.run(
        [exe, "--syntax-check", PLAYBOOK], cwd=stage, capture_output=True, text=True, timeout=120, env=env
    )
