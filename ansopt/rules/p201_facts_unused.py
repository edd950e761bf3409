"""A play gathers facts that nothing reads, or gathers all facts to read a few.

What it does
    For each play that gathers facts (`gather_facts: true`, or by default: ansible.cfg's
    `gathering` is `implicit` unless set to `explicit`), ansopt follows everything the play
    runs: its tasks, handlers, roles with their dependencies, defaults and vars, included and
    imported task files, `vars_files`, templates used by `template:` (the .j2 files), and the
    group_vars/host_vars next to the playbook and its inventory. It looks for fact reads:
    `ansible_facts['x']` / `ansible_facts.x`, the `ansible_<fact>` variables (not the magic
    and connection variables such as `ansible_host`, `ansible_user`, `ansible_check_mode`,
    `ansible_play_hosts`, `ansible_version`, whose list comes from ansible-core), and
    `hostvars[...]` access. Later plays of the same run count too (facts stay in memory for
    the whole run), when they may share hosts or read `hostvars`.

    * Nothing reads facts: reported, fix `gather_facts: false`.
    * Only some facts are read, none of them from the slow collectors (hardware, network,
      virtual): reported, fix `gather_subset` with the smallest subset that provides them,
      computed from ansible-core's fact collectors (fact name -> collector -> subset).

    No `gather_subset` advice under `gathering = smart`: there, any gathering (a subset
    too) marks the host as gathered, so later plays (and, with a fact cache, later runs of
    any playbook) would not gather the rest. For the same reason C201, C202 and C502 do not
    offer to switch to `smart` while a play narrows its gather_subset, and a fix run applies
    their switch first (this rule then proposes no subset), never both in one round.

    Not reported: a play with no tasks at all (it exists to gather facts for later plays,
    as in ansible-examples' `lamp_haproxy/rolling_update.yml`), a play that already sets
    `gather_subset` (for the subset advice), and any play that runs something ansopt cannot
    follow (a templated include, a role or template it cannot find, `ansible_facts` used as
    a whole, facter/ohai facts).

Why
    Fact gathering runs the setup module on every host at the start of every play: tens of
    commands and files read, typically 1 to 5 seconds per host and play (hardware facts on
    hosts with many mounts or devices take longest), before the first task starts.

Measured gain
    On the testbed (bench/testbed: the reference fleet on network-namespace SSH hosts), this
    fix's share is measured by leave-one-out: the fixed fleet against the same fix without
    this rule; `ansopt rule P201` prints the figures from the shipped results
    (`ansopt/knowledge/measured.json`), with their date, host count and round-trip time.
    `ansopt rule P201` also prints the testbed's cost of one fact gathering.

Example (reported)
    - name: Restart the app
      hosts: app
      tasks:
        - name: Restart
          ansible.builtin.service:
            name: app
            state: restarted

Use instead
    - name: Restart the app
      hosts: app
      gather_facts: false
      tasks:
        - ...

    or, when only `ansible_distribution` is read:

      gather_subset: ['!all', '!min', 'distribution']

Default selection
    Opt-in: one gathering costs about a second per play (hosts gather in parallel), and a
    subset saves a fraction of that. Measured with ansible-core 2.19.14 on a local
    connection (`/usr/bin/time ansible-playbook`, 3 runs each, one `command` task): 0.76 s
    without gathering, 1.45 s with it, 1.18 s with `gather_subset: ['!all', '!min',
    'pkg_mgr']`; over SSH the guide measured 2-5 s per play. Reviewed on public projects,
    most reports sat in one-off provisioning and demo playbooks where that second is noise.
    Plays that run on the controller only (localhost, `connection: local`, inventory hosts
    with `ansible_connection=local`) are never reported.

With recorded timings
    When the run has task timings (`ansopt check --timings FILE`, `.ansopt/timings.jsonl`
    beside the playbooks, or `--ara`), the message gives the play's measured gathering time
    (its `Gathering Facts` task: median over recent runs of the slowest host).

Fix (unsafe)
    Sets `gather_facts: false` (replacing the value, or adding the key after `hosts:`), or
    adds `gather_subset`. Unsafe because ansopt cannot see every reader: a custom plugin,
    a callback, a later `ansible-playbook` run relying on a fact cache, or a fact used by
    an included file whose name is computed at run time would now find no facts.
"""

from __future__ import annotations

from ..diagnostics import UNSAFE, Fix
from ..fixers import yaml_edits
from ..model.purpose import DOCS, TEST, ZUUL
from ._connection import local_only
from ._gathering import SUBSET_FIX, advise
from ._text import play_label

CODE = "P201"
SLUG = "facts-unused"
SEVERITY = "warning"
FIX = UNSAFE
DEFAULT = False
SKIP_PURPOSES = (DOCS, ZUUL, TEST)  # see model.purpose


def _where(play):
    node = play.node.key_node("gather_facts") or play.node.key_node("hosts") or play.node
    return node


def check(ctx):
    from ..model.scope import scope_for_playbook

    for play in ctx.project.plays():
        advice = advise(play)
        if advice is None:
            continue
        if local_only(scope_for_playbook(ctx.project, play.file_abspath), play):
            continue  # gathering on the controller takes well under a second
        label = play_label(play)
        measured = ctx.measurements.of_play_gathering(ctx.project, play) if ctx.measurements else None
        cost = f" (gathering measured {measured.describe()})" if measured else ""
        seconds = measured.median if measured else None
        if advice.kind == "off":
            made = yaml_edits.set_key(play.file, play.node, "gather_facts", False, after=("hosts", "name"))
            fix = None
            if made is not None:
                fix = Fix.unsafe([made[0]], "set gather_facts: false", [made[1]])
            msg = f"{label} gathers facts on every host, but nothing it runs (or any later play) reads them{cost}"
            yield ctx.finding(play.file, _where(play), msg, fix=fix, help="set `gather_facts: false`", measured=seconds)
            continue
        subset, names = advice.subset, advice.names
        facts = ", ".join(sorted(names)[:3]) + (f" +{len(names) - 3} more" if len(names) > 3 else "")
        made = yaml_edits.set_key(
            play.file, play.node, "gather_subset", subset, after=("gather_facts", "hosts", "name")
        )
        fix = None
        if made is not None:
            fix = Fix.unsafe([made[0]], f"set gather_subset: {subset}", [made[1]], **SUBSET_FIX)
        msg = f"{label} gathers every fact but only reads {facts}{cost}"
        help = f"set `gather_subset: {subset}`: it skips the hardware, network and virtual collectors"
        yield ctx.finding(play.file, _where(play), msg, fix=fix, help=help, measured=seconds)
