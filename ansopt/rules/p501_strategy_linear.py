"""A play on several hosts runs with the linear strategy although nothing in it needs the
hosts to move in step: `strategy: free` (or `host_pinned`) lets fast hosts run ahead.

What it does
    Reports a play when all of these hold:

    * Several hosts: the play's `hosts:` pattern selects at least `min_hosts` (default 2)
      hosts of the project's inventory (the inventory named by ansible.cfg, else the
      inventory files found in the project; with several inventories, the largest count).
      When the count cannot be known (no inventory in the project, a dynamic or encrypted
      inventory, a templated `hosts:`), the play is not reported: the gain and the risk
      both depend on the hosts, and in doubt ansopt stays quiet. Set
      `report_unknown_hosts: true` to report such plays anyway, except patterns that are
      clearly one host (`localhost`, `127.0.0.1`, `::1`).
    * The strategy in effect is linear: the play has no `strategy:` keyword and the
      applicable ansible.cfg's `[defaults] strategy` is absent (ansible-core's default is
      `linear`) or `linear` / `ansible.builtin.linear`. A play that writes
      `strategy: linear` itself has made its choice and is not reported; a templated
      strategy is unknown and not reported either.
    * Not run by Vagrant's ansible provisioner one machine at a time (a Vagrantfile beside
      the playbook or above it names the playbook and sets no `limit = "all"`).
    * At least `min_tasks` (default 5) steps that do work on the hosts: fact gathering
      counts as one, each task as one; handlers and controller-only actions (`debug`,
      `set_fact`, `include_vars`, `assert`, `meta`, includes themselves) do not. With one
      step linear and free do exactly the same, and with a handful (a two-host play that
      calls one short role, or reads one vars file) free can win only the slowest host's
      lead on each: not worth the interleaved output.
    * Nothing in what the play runs depends on the hosts moving in step. ansopt follows the
      play into its roles (with dependencies), included and imported task files, handlers
      and templates; a play that runs something ansopt cannot follow (a templated include,
      a role it cannot find) is not reported. These block the advice, wherever they appear
      (play, block, task, handler, role entry, `apply:` of an include):
        - `serial`, `order` (other than `inventory`), `max_fail_percentage` on the play;
        - `run_once`, `throttle`, `any_errors_fatal` (also `any_errors_fatal = True` in
          ansible.cfg), `delegate_facts`;
        - `delegate_to` anything but `localhost`, `127.0.0.1`, `::1` or
          `{{ inventory_hostname }}` (a fixed other host would see the tasks of many hosts
          arrive at different moments: its load and ordering change);
        - any `hostvars` mention except `hostvars[inventory_hostname]`, in the play, the
          files it runs, its templates, role defaults/vars and the group_vars/host_vars of
          its inventory (another host's facts or registered results may not exist yet when
          a faster host reads them: with free, even fact gathering is per host);
        - a `when:` that selects hosts (`groups`, `inventory_hostname`,
          `ansible_play_hosts`, `ansible_play_batch`, `play_hosts`): "the first node does X,
          the others then do Y" relies on linear's per-task barrier;
        - `pause` and `add_host` (they bypass the host loop; the free strategy refuses to
          run them), `meta: end_play`, `end_batch`, `refresh_inventory`;
        - `wait_for` on a host other than the target itself (waiting for another host's
          port is waiting for another host's progress).

Why
    With `linear` (the default), every host must finish task N before any host starts
    task N+1: each task takes as long as its slowest host, and a play takes the sum of
    those maxima. With `free`, each host runs its tasks as fast as it can; the play takes
    as long as the slowest host's own total. The gain is real only when hosts differ in
    speed from task to task (package downloads, builds, restarts, mixed hardware): with
    identical hosts doing identical work, linear and free take about the same time.

    `host_pinned` is suggested instead of `free` when ansible.cfg's `forks` (default 5) is
    below the play's host count: then not all hosts can run at once, and with free the
    forks round-robin over all hosts, one task each, so every host stays half done until
    the end. With host_pinned a fork stays with its host until that host finishes the
    play, then takes the next host: hosts complete one after another, never interleaved.

Measured gain
    On the testbed (bench/testbed: the reference fleet on network-namespace SSH hosts), this
    fix's share is measured by leave-one-out: the fixed fleet against the same fix without
    this rule; `ansopt rule P501` prints the figures from the shipped results
    (`ansopt/knowledge/measured.json`), with their date, host count and round-trip time. The
    testbed's hosts are of uneven speed on purpose (the slowest host's stand-ins take 1.5
    times the fastest's): with identical hosts the difference is small.

What changes (read before applying)
    * Output ordering: the tasks of different hosts interleave in the output, so a log
      no longer reads task by task.
    * Handler timing: handlers run per host, when that host reaches the end of a section
      (or a `flush_handlers`), not once for all hosts together.
    * Failures: a failed host no longer holds anything up, and nothing stops the others
      (`any_errors_fatal`, `max_fail_percentage` are not supported by free).
    * `run_once` is not supported by free (the task runs on every host), which is why it
      blocks the advice; `--step` and the task debugger prompt per host and task.

Example (reported)
    # inventory: [web] web1 web2 web3
    - name: Deploy the web servers
      hosts: web
      tasks:
        - name: Install nginx
          ansible.builtin.package:
            name: nginx
        - name: Deploy the site
          ansible.builtin.copy:
            src: site/
            dest: /var/www/

Use instead
    - name: Deploy the web servers
      hosts: web
      strategy: free
      tasks:
        - ...

    or `strategy: host_pinned` when the play has more hosts than forks.

Not reported
    A play with `run_once` (or any other blocker above), a play on one host, a play whose
    host count cannot be known, a play that sets its own strategy.

Default selection
    Opt-in (`extend-select: [P501]`). The gain exists only where hosts differ in speed
    from task to task, and ansopt cannot see that in the files; for a few similar hosts
    it is a few seconds (an expectation, not measured here), paid for with interleaved output and per-host handlers. Reviewed
    on public projects, nearly every report was a play on two to four similar hosts, judged
    true but not worth the change. Plays that qualify must still have at least `min_hosts`
    (2) hosts and `min_tasks` (5) steps of work on them.

Fix (unsafe)
    Adds `strategy: free` (or `host_pinned`) after the play's `hosts:`. Unsafe because it
    changes the order in which hosts progress: anything that relies on all hosts having
    finished a step (a cluster's first node, a load balancer, a shared file server, an
    external API, a cross-host check ansopt cannot see in a custom module) may break, and
    output and handler timing change as described above.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .. import knowledge
from ..diagnostics import UNSAFE, Fix
from ..fixers import yaml_edits
from ..model.purpose import DOCS, TEST, ZUUL
from ..model.tasks import is_template
from ._gathering import play_run, vars_texts
from ._parallel import runs_per_machine
from ._text import play_label

DEFAULT = False
CODE = "P501"
SLUG = "strategy-linear"
SEVERITY = "info"
FIX = UNSAFE
SKIP_PURPOSES = (DOCS, ZUUL, TEST)  # see model.purpose
OPTIONS = {
    "min_hosts": (2, {"type": "integer", "minimum": 2, "description": "Plays on fewer hosts are not reported."}),
    "min_tasks": (
        5,
        {
            "type": "integer",
            "minimum": 2,
            "description": "Plays with fewer steps that do work on the hosts (fact gathering and tasks, not `debug`, `set_fact`, `include_vars` or includes) are not reported.",
        },
    ),
    "report_unknown_hosts": (
        False,
        {"type": "boolean", "description": "Also report plays whose host count cannot be known (not `localhost`)."},
    ),
}

LINEAR = frozenset({"linear", "ansible.builtin.linear", "ansible.legacy.linear"})
LOCAL = frozenset({"localhost", "127.0.0.1", "::1"})
_SELF = re.compile(r"\{\{\s*inventory_hostname\s*\}\}\Z")
_HOSTVARS = re.compile(r"\bhostvars\b")
_OWN_HOSTVARS = re.compile(r"hostvars\s*\[\s*inventory_hostname\s*\]")
_HOST_SELECT = re.compile(
    r"\b(groups|inventory_hostname|ansible_play_hosts|ansible_play_hosts_all|ansible_play_batch|play_hosts)\b"
)
_WAIT_SELF_WORDS = frozenset(
    {
        "inventory_hostname",
        "ansible_host",
        "ansible_ssh_host",
        "ansible_default_ipv4",
        "ansible_facts",
        "default_ipv4",
        "address",
        "default",
    }
)


def _bypass_host_loop() -> frozenset[str]:
    """Actions with BYPASS_HOST_LOOP in ansible-core (pause, add_host), from the knowledge cache."""
    from .. import knowledge

    return knowledge.get().bypass_host_loop


BLOCKING_META = frozenset({"end_play", "end_batch", "refresh_inventory"})
META = frozenset({"ansible.builtin.meta"})
WAIT_FOR = frozenset({"ansible.builtin.wait_for"})
INCLUDES = frozenset(
    {
        "ansible.builtin.include_tasks",
        "ansible.builtin.import_tasks",
        "ansible.builtin.include_role",
        "ansible.builtin.import_role",
    }
)


# --------------------------------------------------------------------------- values


def _truthy(v: Any) -> bool:
    """A keyword value that may be on: true, a template (unknown), or a truthy string."""
    if v is None or v is False:
        return False
    if v is True or is_template(v):
        return True
    if isinstance(v, (int, float)):
        return v != 0
    if isinstance(v, str):
        try:
            return knowledge.get().boolean(v)
        except Exception:
            return True
    return True


def _nonzero(v: Any) -> bool:
    """throttle/serial: absent, 0 or empty mean no limit."""
    if v is None or v == [] or v == "":
        return False
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return v != 0
    if isinstance(v, str):
        return v.strip() not in ("0", "0%")
    return True


def _local_target(v: Any) -> bool:
    if not isinstance(v, str):
        return False
    s = v.strip()
    return s in LOCAL or bool(_SELF.match(s))


def _wait_target_is_self(v: Any) -> bool:
    """wait_for `host:` absent, local, or the target itself (`{{ ansible_host }}`...)."""
    if v is None:
        return True
    if not isinstance(v, str):
        return False
    s = v.strip()
    if s in LOCAL or s in ("0.0.0.0", "::"):
        return True
    if not s.startswith("{{") or not s.endswith("}}") or s.count("{{") != 1:
        return False
    words = set(re.findall(r"[A-Za-z_]\w*", s[2:-2]))
    return bool(words) and words <= _WAIT_SELF_WORDS


def _texts_without_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


# --------------------------------------------------------------------------- blockers


def _keyword_blockers(data: dict[str, Any], where: str) -> Iterator[str]:
    """Blocking keywords in a play, block, task, role entry or `apply:` mapping."""
    if not isinstance(data, dict):
        return
    if _truthy(data.get("run_once")):
        yield f"run_once ({where})"
    if _nonzero(data.get("throttle")):
        yield f"throttle ({where})"
    if _truthy(data.get("any_errors_fatal")):
        yield f"any_errors_fatal ({where})"
    if _truthy(data.get("delegate_facts")):
        yield f"delegate_facts ({where})"
    d = data.get("delegate_to")
    if d is not None and not _local_target(d):
        yield f"delegate_to {d} ({where})"
    when = data.get("when")
    for c in when if isinstance(when, list) else [when]:
        if isinstance(c, str) and _HOST_SELECT.search(c):
            yield f"a when: that selects hosts ({where})"
            break


def _task_blockers(t) -> Iterator[str]:
    where = f"{t.file.path}:{t.line}"
    yield from _keyword_blockers(t.node.to_data(), where)
    if t.fqcn in INCLUDES:
        apply = t.args.get("apply")
        if isinstance(apply, dict):
            yield from _keyword_blockers(apply, f"apply: of {where}")
    if t.is_block or t.fqcn is None:
        return
    if t.fqcn in _bypass_host_loop():
        yield f"{t.module} (bypasses the host loop: the free strategy refuses it) ({where})"
    elif t.fqcn in META:
        action = (t.free_form or str(t.args.get("_raw_params", ""))).strip()
        if action in BLOCKING_META:
            yield f"meta: {action} ({where})"
    elif t.fqcn in WAIT_FOR:
        host = t.args.get("host")
        if not _wait_target_is_self(host):
            yield f"wait_for on another host ({where})"


def blockers(play, run=None, scope=None) -> list[str]:
    """Everything in a play (and what it runs) that needs the hosts to move in step."""
    out: list[str] = []
    run = run if run is not None else play_run(play)
    where = f"{play.file.path}:{play.file.position(play.node.start)[0]}"
    pdata = play.node.to_data()
    if not isinstance(pdata, dict):
        return ["not a mapping"]
    if _nonzero(pdata.get("serial")):
        out.append(f"serial ({where})")
    order = pdata.get("order")
    if order is not None and order != "inventory":
        out.append(f"order: {order} ({where})")
    if pdata.get("max_fail_percentage") is not None:
        out.append(f"max_fail_percentage ({where})")
    out.extend(_keyword_blockers(pdata, where))
    if (
        scope is not None
        and scope.config.base("ANY_ERRORS_FATAL").from_file
        and scope.config.base("ANY_ERRORS_FATAL").as_bool
    ):
        out.append("any_errors_fatal = True in ansible.cfg")
    # role entries: the play's roles and every dependency of the roles it runs
    refs = list(play.roles)
    for role in run.roles:
        refs.extend(role.dependencies)
    for ref in refs:
        if isinstance(ref.params, dict):
            out.extend(_keyword_blockers(ref.params, f"role {ref.name} in {ref.file.path}"))
    for rt in run.tasks:
        out.extend(_task_blockers(rt.task))
    texts = list(run.texts())
    try:
        texts.extend(vars_texts(play))
    except Exception:
        pass
    for label, text in texts:
        body = _texts_without_comments(text)
        for m in _HOSTVARS.finditer(body):
            if not _OWN_HOSTVARS.match(body, m.start()):
                out.append(f"hostvars of other hosts ({label})")
                break
    return out


# --------------------------------------------------------------------------- the rule


def _strategy(play, scope) -> str | None:
    """The strategy a play runs with when it does not set one; None when it sets one."""
    if "strategy" in play.node:
        return None
    raw = scope.config.base("DEFAULT_STRATEGY").raw
    s = str(raw or "linear").strip()
    return s


# Actions that do no work on the host (they run in the controller's task loop): a host
# never waits on another for these, so they give `free` nothing to gain.
CONTROLLER_ONLY = frozenset(
    "ansible.builtin." + m
    for m in (
        "debug set_fact include_vars assert fail meta add_host group_by set_stats include_tasks "
        "import_tasks include_role import_role include pause"
    ).split()
)


def _steps(play, run) -> int:
    """Steps that do work on the hosts: fact gathering, and each task that is not a
    controller-only action (`debug`, `set_fact`, `include_vars`, includes...)."""
    n = 0 if play.gathers_facts() is False else 1
    for rt in run.tasks:
        if rt.section != "handlers" and not rt.task.is_block and (rt.task.fqcn or "") not in CONTROLLER_ONLY:
            n += 1
    return n


def _forks(scope) -> int:
    v = scope.config.base("DEFAULT_FORKS").as_int
    return v if v and v > 0 else 5


def _clearly_one_host(pattern: Any) -> bool:
    if isinstance(pattern, list) and len(pattern) == 1:
        pattern = pattern[0]
    return isinstance(pattern, str) and pattern.strip() in LOCAL


def check(ctx):
    from ..model.scope import scope_for_playbook

    min_hosts = int(ctx.options.get("min_hosts", 2))
    min_tasks = int(ctx.options.get("min_tasks", 5))
    report_unknown = bool(ctx.options.get("report_unknown_hosts", False))
    for play in ctx.project.plays():
        if play.is_empty or "hosts" not in play.node:
            continue
        if runs_per_machine(ctx.project, play.file_abspath):
            continue  # Vagrant provisions one machine per run
        scope = scope_for_playbook(ctx.project, play.file_abspath)
        strategy = _strategy(play, scope)
        if strategy not in LINEAR:
            continue
        pattern = play.value("hosts")
        counted = scope.host_count(pattern)
        if counted is not None:
            count = counted[0]
            if count < min_hosts:
                continue
        else:
            if not report_unknown or _clearly_one_host(pattern) or pattern is None:
                continue
            count = None
        run = play_run(play)
        if not run.complete:
            continue
        if _steps(play, run) < min_tasks:
            continue  # a few steps: the slowest host's lead on each is all free could win
        if blockers(play, run, scope):
            continue
        forks = _forks(scope)
        pinned = count is not None and forks < count
        value = "host_pinned" if pinned else "free"
        label = play_label(play)
        hosts_txt = f"{count} hosts" if count is not None else "hosts the inventory does not tell"
        if pinned:
            advice = f"`strategy: host_pinned` (forks {forks} < {count} hosts: a fork stays with its host until the host is done)"
        else:
            advice = "`strategy: free`"
        msg = f"{label} runs linear on {hosts_txt} (each task waits for the slowest) though nothing needs them in step"
        help = f"set {advice}: faster hosts run ahead; output interleaves and handlers run per host"
        made = yaml_edits.set_key(play.file, play.node, "strategy", value, after=("hosts", "name"))
        fix = None
        if made is not None:
            fix = Fix.unsafe([made[0]], f"set strategy: {value}", [made[1]])
        at = play.node.key_node("hosts") or play.node
        extra = {"hosts": count, "forks": forks, "strategy": value}
        yield ctx.finding(play.file, at, msg, fix=fix, extra=extra, help=help)
