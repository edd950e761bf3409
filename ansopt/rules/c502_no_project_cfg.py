"""No project ansible.cfg next to the playbooks: each run uses whatever the machine has.

What it does
    Groups the reported playbooks by the folder `ansible-playbook` is run from: the
    playbook's folder, or its parent when the folder is named `playbooks` (people run
    `ansible-playbook playbooks/site.yml` from the project folder); a folder inside
    another such folder joins it (the outer folder's ansible.cfg would apply to it). A
    group whose playbooks have no applicable ansible.cfg (none in their folder or above
    it, up to the project root) is reported once, on its alphabetically first playbook
    (the folder's own playbooks before those of nested folders).
    Nothing is reported when ANSIBLE_CONFIG is set (that file is the configuration), nor
    for playbooks under `molecule/` (molecule writes its own configuration) or under
    `tests/integration/targets/` (ansible-test writes its own too), for a role's or a
    collection's `tests/` playbooks, for documentation examples under `docs/`, for
    playbooks a Zuul job runs (Zuul writes its own ansible.cfg), nor for a folder
    whose plays all run on the controller only (`hosts: localhost` without an inventory
    entry, `connection: local`): forks, SSH settings and fact caching change little there.

Why
    ansible-core reads ONE configuration file, the first it finds of: ANSIBLE_CONFIG,
    `ansible.cfg` in the current folder, `~/.ansible.cfg`, `/etc/ansible/ansible.cfg`. It
    never merges them. Without a project ansible.cfg, a run's forks, pipelining, fact
    gathering and cache, SSH options and callbacks come from whichever file the machine
    running it happens to have (a laptop, a CI runner, a bastion), or from ansible-core's
    defaults: forks 5, no pipelining, facts gathered by every play of every run, no fact
    cache. The same playbook is then fast on one machine and slow on the next, and none
    of ansopt's ansible.cfg rules can help: there is no file to fix.

Measured gain
    Not measured as a share on the testbed: the baseline the fix writes is the settings
    C101, C102 and C201 measure (`ansopt rule C101`, `C102`, `C201`), and the README's
    "Measured gains" table gives the fleet's run times with ansible-core's defaults against
    the same fleet after `ansopt fix`.

Example (reported)
    site.yml
    inventory.ini
    (no ansible.cfg)

Use instead
    site.yml
    inventory.ini
    ansible.cfg, for example (the fix writes this, with a comment for every line):

        [defaults]
        inventory = inventory.ini
        forks = 12
        gathering = smart
        fact_caching = jsonfile
        fact_caching_connection = ~/.ansible/fact_cache
        fact_caching_timeout = 86400

        [ssh_connection]
        pipelining = True
        ssh_args = -C -o ControlMaster=auto -o ControlPersist=60s

Default selection
    Opt-in: it creates a new file, and much content (docs, CI jobs, role tests) is run with a configuration that lives elsewhere.

Fix (unsafe)
    `ansopt fix --unsafe-fixes` creates `ansible.cfg` in the run folder: a header saying
    what wrote it and that it replaces ~/.ansible.cfg and /etc/ansible/ansible.cfg
    (rather than merging with them); `inventory` when exactly one inventory file is
    found there; `forks` when a play targets more than 5 hosts of that inventory (the
    useful parallelism C105 computes, capped by C105's `max_forks`, 50 by default);
    `gathering = smart` with a jsonfile fact cache for a day; a commented-out
    `callbacks_enabled = ansible.posix.profile_tasks` (it needs the ansible.posix
    collection); and in `[ssh_connection]`, `pipelining = True` and ssh_args with
    ControlPersist (left out when every known host is reached with winrm, psrp or a
    local connection). Every setting has a comment saying why and what it costs.

    Unsafe: it changes how every run started from that folder behaves. Settings the
    machine's ~/.ansible.cfg or /etc/ansible/ansible.cfg gave (a vault password file,
    a remote_user, roles_path, a become method) stop applying and must be copied in;
    facts come from a cache up to a day old (a changed host shows its old facts until
    `rm -rf ~/.ansible/fact_cache` or `--flush-cache`); pipelining with become fails on
    targets whose sudoers still has `Defaults requiretty`. ansible-core also ignores an
    ansible.cfg in a world-writable folder (it warns).

Suppress
    `# noqa: C502` on the first play of the reported playbook, or exclude the folder.
"""

from __future__ import annotations

import os

from ..diagnostics import UNSAFE, Change, Fix
from ..fixers import cfg_edits, new_file
from ..model.purpose import DOCS, TEST, ZUUL
from ..model.scope import build_scope
from ..source.yamlfile import YSeq
from . import c105_forks_below_hosts as c105
from ._connection import local_only, split_hosts
from ._gathering import SMART_FIX, subset_hazard
from ._parallel import widest_play

CODE = "C502"
SLUG = "no-project-cfg"
SEVERITY = "info"
FIX = UNSAFE
SKIP_PURPOSES = (DOCS, ZUUL, TEST)  # see model.purpose
DEFAULT = False

DEFAULT_FORKS = 5
FACT_CACHE = "~/.ansible/fact_cache"
FACT_TIMEOUT = "86400"
SSH_ARGS = "-C -o ControlMaster=auto -o ControlPersist=60s"
SKIPPED_TREES = (("molecule",), ("tests", "integration", "targets"))


def run_folder(project, playbook_abspath: str) -> str:
    """The folder ansible-playbook is run from for this playbook."""
    d = os.path.dirname(playbook_abspath)
    root = os.path.abspath(project.root)
    if os.path.basename(d) == "playbooks" and d != root:
        return os.path.dirname(d)
    return d


def _inside(path: str, root: str) -> bool:
    path = os.path.abspath(path)
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _skipped(project, abspath: str) -> bool:
    if project.purposes.of(abspath) & frozenset(SKIP_PURPOSES):
        return True  # docs, Zuul jobs, role tests: run with a configuration that lives elsewhere
    rel = os.path.relpath(abspath, os.path.abspath(project.root))
    parts = [] if rel.startswith("..") else rel.split(os.sep)[:-1]
    if not parts:
        parts = os.path.abspath(abspath).split(os.sep)[:-1]
    for tree in SKIPPED_TREES:
        n = len(tree)
        if any(tuple(parts[i : i + n]) == tree for i in range(len(parts) - n + 1)):
            return True
    return False


def _cfg_above(project, abspath: str) -> bool:
    """An ansible.cfg in the playbook's folder or above, for a playbook outside the project
    root (ansopt's applicable_cfg does not look above the root): up to the repository root
    (a folder with .git) or the file system root."""
    d = os.path.dirname(os.path.abspath(abspath))
    while True:
        if project.reader.exists(os.path.join(d, "ansible.cfg")):
            return True
        if os.path.exists(os.path.join(d, ".git")) or os.path.dirname(d) == d:
            return False
        d = os.path.dirname(d)


def groups(project) -> dict[str, list]:
    """{run folder: its playbooks with no applicable ansible.cfg}, nested folders merged
    into the outermost one."""
    found: dict[str, list] = {}
    for pb in project.playbooks:
        if _skipped(project, pb.abspath):
            continue
        if project.applicable_cfg(pb.abspath) is not None:
            continue
        if not _inside(pb.abspath, os.path.abspath(project.root)) and _cfg_above(project, pb.abspath):
            continue
        found.setdefault(run_folder(project, pb.abspath), []).append(pb)
    out: dict[str, list] = {}
    for folder in sorted(found, key=lambda f: (f.count(os.sep), f)):
        outer = next((o for o in out if _inside(folder, o)), None)
        out.setdefault(outer or folder, []).extend(found[folder])
    for folder, pbs in out.items():
        pbs.sort(key=lambda p: _order(folder, p.abspath))
    return out


def _order(folder: str, abspath: str) -> tuple[int, str]:
    """The run folder's own playbooks (and those of its playbooks/ folder) first, then the
    nested ones; alphabetically within each."""
    rel = os.path.relpath(abspath, folder).replace(os.sep, "/")
    parts = rel.split("/")[:-1]
    own = not parts or parts == ["playbooks"]
    return (0 if own else 1, rel)


def _cap(ctx) -> int:
    opts: dict = {}
    settings = getattr(ctx, "settings", None)
    if settings is not None:
        opts = (getattr(settings, "rules", {}) or {}).get(c105.CODE, {}) or {}
    return c105.max_forks(opts)


def baseline(
    inventory: str | None, forks: int | None, forks_why: str = "", ssh: bool = True
) -> tuple[str, list[Change]]:
    """The text of the new ansible.cfg and what it sets (values as ConfigParser reads them)."""
    cfg = cfg_edits.NewCfg()
    cfg.comment(
        "Written by ansopt (rule C502, `ansopt fix --unsafe-fixes`): a performance baseline",
        "for the playbooks of this folder. Review every setting before relying on it.",
        "",
        "ansible-core reads this file when ansible-playbook runs from this folder (or when",
        "ANSIBLE_CONFIG names it; it ignores it in a world-writable folder). It REPLACES",
        "~/.ansible.cfg and /etc/ansible/ansible.cfg rather than merging with them: copy any",
        "setting you still need from those files (remote_user, vault_password_file...) here.",
        "`ansible-config dump --only-changed` shows the settings in effect.",
    )
    cfg.blank()
    cfg.section("defaults")
    if inventory is not None:
        cfg.option(
            "inventory",
            inventory,
            "The inventory next to the playbooks: no `-i` needed (`-i` still overrides it).",
        )
    if forks is not None:
        cfg.option(
            "forks",
            str(forks),
            "Hosts a task runs on at the same time (ansible-core's default: 5), set to the",
            f"host count of the widest play{forks_why}.",
            "Each fork is a process on this machine (memory, CPU); more forks also means",
            "more hosts using shared services (package mirrors, APIs) at the same moment.",
        )
    cfg.option(
        "gathering",
        "smart",
        "Gather facts only for hosts whose facts are not in the cache below, instead of",
        "in every play of every run. Risks: facts can be as old as the cache timeout, and",
        "a play wanting more facts (gather_subset) than the cached ones does not regather.",
    )
    cfg.option(
        "fact_caching",
        "jsonfile",
        "Keep gathered facts between runs, one JSON file per host.",
    )
    cfg.option(
        "fact_caching_connection",
        FACT_CACHE,
        "Where the fact files go. Clear the cache with `rm -rf ~/.ansible/fact_cache`",
        "(or run ansible-playbook with --flush-cache) after changing a host.",
    )
    cfg.option(
        "fact_caching_timeout",
        FACT_TIMEOUT,
        "Cached facts expire after a day (in seconds): until then a changed host (new",
        "disk, address or OS version) keeps showing its old facts.",
    )
    cfg.comment(
        "Per-task timings at the end of each run. It needs the ansible.posix collection",
        "(`ansible-galaxy collection install ansible.posix`; the `ansible` package has it);",
        "without it every run warns that the callback cannot be loaded. Uncomment to enable:",
        "callbacks_enabled = ansible.posix.profile_tasks",
    )
    if not ssh:
        return cfg.text, cfg.changes
    cfg.blank()
    cfg.section("ssh_connection")
    cfg.option(
        "pipelining",
        "True",
        "Send each module over the SSH session's stdin instead of copying a file for every",
        "task: fewer SSH operations per task. With become (sudo) the targets' sudoers must",
        "not have `Defaults requiretty` (old RHEL/CentOS did); fix that first or set False.",
    )
    cfg.option(
        "ssh_args",
        SSH_ARGS,
        "Compression, and one SSH connection per host kept open for 60 s and reused by the",
        "next tasks (ControlMaster/ControlPersist) instead of a new login for each.",
        "These are ansible-core's defaults, written out: keep ControlPersist if you add options.",
    )
    return cfg.text, cfg.changes


def _first_item(pb):
    root = pb.file.root
    if isinstance(root, YSeq) and root.items:
        return root.items[0]
    return 0


def check(ctx):
    project = ctx.project
    if project.env_config:
        return
    cap = _cap(ctx)
    for folder, pbs in sorted(groups(project).items()):
        target = os.path.join(folder, "ansible.cfg")
        if os.path.exists(target) or project.reader.exists(target):
            continue  # a folder, a link, or an ansible.cfg above the project root
        scope = build_scope(project, folder, None)
        plays = [play for pb in pbs for play in pb.plays]
        if plays and all(local_only(scope, play) for play in plays):
            continue  # controller-only runs: forks, SSH and fact settings change little
        split = split_hosts(scope)
        inventory = None
        if len(scope.inventories) == 1:
            rel = os.path.relpath(scope.inventories[0].abspath, folder).replace(os.sep, "/")
            if "," not in rel and not rel.startswith("../") and rel.strip() == rel:
                inventory = rel
        forks = None
        why = ""
        w = widest_play(project, scope, pbs) if scope.known_inventory else None
        if w is not None and w.useful > DEFAULT_FORKS:
            forks = min(w.useful, cap)
            label = " ".join(str(w.play.name or w.play.hosts).split())
            why = f" ('{label}': {w.useful} hosts)"
            if forks < w.useful:
                why += f", capped at {cap}"
        hazard = subset_hazard(pbs)
        text, changes = baseline(inventory, forks, why, ssh=not split.only_other)
        fix = None
        if hazard is None:
            made = new_file(target, text, changes)
            fix = Fix.unsafe(
                made.edits,
                f"create {project.display(target)} with a commented performance baseline",
                made.changes,
                **SMART_FIX,
            )
        names = [os.path.relpath(p.abspath, folder) for p in pbs]
        shown = ", ".join(names[:2]) + (f" +{len(names) - 2} more" if len(names) > 2 else "")
        if len(shown) > 60:
            shown = f"{len(names)} playbook{'s' if len(names) != 1 else ''}"
        msg = f"no ansible.cfg applies to {shown}: a run uses the machine's ansible.cfg or ansible-core's defaults"
        help = f"write {project.display(target)} (forks, pipelining, ControlPersist, a fact cache): `ansopt fix --unsafe-fixes` writes a commented baseline"
        if hazard:
            help = f"write {project.display(target)} with forks, pipelining and ControlPersist; no automatic fix (its baseline turns on smart gathering): {hazard}"
        yield ctx.finding(
            pbs[0].file,
            _first_item(pbs[0]),
            msg,
            fix=fix,
            help=help,
            extra={"folder": project.display(folder), "playbooks": names},
        )
