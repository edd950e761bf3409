"""A package module runs once per loop item: one package transaction per package.

What it does
    Reports a package module (`apt`, `yum`, `dnf`, `dnf5`, `package`, `pip` and the
    community.general package managers, short or FQCN names; not `homebrew_cask`, which
    runs one `brew install --cask` per cask whatever it is given) whose `name` is exactly
    ``{{ item }}`` (or the `loop_var`) and which loops with `loop`, `with_items` or
    `with_list`, when the loop variable is used nowhere else in the task. A loop over
    dictionaries (``name: "{{ item.name }}"``, with at most `state` or `version` also per
    item) is reported without a fix: the items can be grouped by state. A loop whose items go
    to different places (a per-item virtualenv, `become_user`, `when`...) is not reported.

    Nor is a loop of fewer than `min_items` (4) items (a literal list, or a variable whose
    values where the project defines it are all that short: its role's `defaults/` and
    `vars/`, the `group_vars/`, `host_vars/` and `vars/` beside the file or above it; a plain string
    is one item, an empty list or `{}` none; the task's own `vars:`, a `set_fact` of the
    same file, an expression ending in a string `default('kde')` and the variables of a
    `with_items` list's templated items count too), unless each item also
    refreshes the apt cache (`update_cache` without `cache_valid_time`); never a loop of one item, or a loop over a
    joined string (``with_items: "{{ pkgs | join(',') }}"`` iterates over one string, a
    comma-separated name, so the module already runs once); nor a removal (`state: absent`: teardown code,
    rarely run), nor a task of a role under `roles/` that no play of the project runs (a
    role left behind, or commented out of the site playbook; not judged in a collection, a
    project without playbooks; a templated role name or include counts every role some file
    names as a plain value), nor a task of a role installed from elsewhere (named in
    `requirements.yml`, with `.galaxy_install_info` or a licence of its own: see
    model.purpose), nor a loop whose `when:` (or a block's around it) tests an earlier
    check's result (`is failed`, `.rc`, `.stat`: a first-install step); nor a loop over a
    bare name (`with_items: app_packages`: ansible-core 2.2 and later loop once over the
    word); nor a loop that must stay per item: with `ignore_errors` (on, or a template),
    `failed_when` or `until`, or a comment on the task or in the comment lines just above it
    saying some items may not exist or may fail ("may not be available", "optional", "best
    effort", "so that one failure does not abort the others", "instead of passing a list").
    In one transaction a package that does not exist fails every package of the list; the
    loop installs the others. Nor a loop whose earlier item adds a repository the later ones
    come from (`epel-release`, a `*-release.rpm` URL, an item `{{ ohpc_release }}`, also in the
    variable's defined values): one transaction would resolve them before the repository
    exists. Nor, in a project pinned to Ansible older than 2.11 (a
    requirements file, a CI image tag: see C404), a loop over ``{{ item }}`` with a module
    ansible-core merged by itself then (`squash_actions`: apk, apt, dnf, homebrew,
    openbsd_pkg, pacman, pip, pkgng, yum, zypper): it already runs as one transaction there.
    A project written with `sudo:`/`su:` keywords (removed in 2.9) or bare-name loops
    (pre-2.2), judged per ansible.cfg folder, counts as pinned that old.

Why
    Each loop item is a separate module run: a round trip to the host, a new package
    manager process, a lock, a dependency resolution and, for apt/dnf, a cache read. The
    same modules accept a list in `name` and install everything in one transaction.

Measured gain
    On the testbed (bench/testbed: the reference fleet on network-namespace SSH hosts), this
    fix's share is measured by leave-one-out: the fixed fleet against the same fix without
    this rule; `ansopt rule P101` prints the figures from the shipped results
    (`ansopt/knowledge/measured.json`), with their date, host count and round-trip time. The
    testbed's package stand-in costs what its settings say per transaction and package
    (`bench/testbed/standin`: an `apt` transaction and its cache refresh), so this share
    counts transactions, not a mirror's speed.

Example (reported)
    - name: Install tools
      ansible.builtin.apt:
        name: "{{ item }}"
        state: present
      loop:
        - git
        - curl

Use instead
    - name: Install tools
      ansible.builtin.apt:
        name:
          - git
          - curl
        state: present

Default selection
    On: each loop item is a separate package transaction (seconds per item per host).

Fix (safe)
    `name:` takes the loop's list: a literal list moves with its comments, re-indented; a
    looped expression (``"{{ packages }}"``) is used as it is. The loop key (and a
    `loop_control` that only names the loop variable) goes; every other key stays exactly
    as it was. Free-form arguments (``yum: name={{ item }} state=present``) are rewritten
    as a mapping for that task only, values kept as the strings ansible-core's parse_kv
    gives. Behaviour is the same: the same packages in the same state.

    No fix is offered for a pip loop over a variable whose values the project does not show
    (an empty list skips the looped task, while `name: []` still runs pip, which fails on a
    host without it), nor when the task registers a result (`register` holds one result per
    item with a loop, a single result without), has a `loop_control` beyond `loop_var`, has arguments under `args:`, loops over a
    bare (untemplated) name, or lists templated items (an item may itself be a list, which
    `with_items` flattens and `loop` does not) — except a single templated `with_items` item
    (``with_items: ["{{ pkgs }}"]``). A `with_items` over one templated expression gets no
    fix either: `with_items` flattens nested lists one level, and a variable holding lists of
    packages would reach `name:` nested (each sublist taken for one package name); the help
    gives ``name: "{{ pkgs | flatten(levels=1) }}"``, which keeps the flattening.
"""

from __future__ import annotations

import os
import re

from ..diagnostics import SAFE, Fix
from ..fixers import Refusal, task_edits, yaml_edits
from ..model.tasks import Task, is_template, short_name
from ..source.yamlfile import YMap, YScalar, YSeq
from ._packages import (
    LOOP_KEYS,
    NAME_KEYS,
    bare_mentions,
    comment_block_start,
    in_unused_role,
    is_package_module,
    mentions,
    refreshes_cache,
    var_attr,
    var_only,
)

CODE = "P101"
SLUG = "package-loop"
SEVERITY = "warning"
FIX = SAFE

OPTIONS = {
    "min_items": (
        4,
        {
            "type": "integer",
            "minimum": 2,
            "description": "Literal loops with fewer items are not reported (unless each item refreshes the apt cache).",
        },
    ),
}

CONDITIONALS = ("when", "changed_when", "failed_when", "until")
_WHOLE_TEMPLATE = re.compile(r"\s*\{\{.*\}\}\s*", re.S)
# per-item arguments that still allow batching, by grouping the items (one task per value)
GROUPABLE = frozenset({"state", "version"})


def _uses_var_elsewhere(task: Task, var: str, skip) -> bool:
    """Does anything but the skipped nodes read the loop variable?"""
    for k, v in task.node.pairs:
        key = k.value if isinstance(k, YScalar) else None
        if any(v is s for s in skip if s is not None):
            continue
        if key == "loop_control" and isinstance(v, YMap) and set(v.keys()) <= {"loop_var"}:
            continue
        for s in _scalars(v, skip):
            text = s.value
            if key in CONDITIONALS and bare_mentions(text, var):
                return True
            if mentions(text, var):
                return True
    return False


def _scalars(node, skip):
    from ..model.tasks import _strings

    return _strings(node, {id(s) for s in skip if s is not None})


# a comment on or just above the task saying some items may be missing or may fail
_PER_ITEM_COMMENT = re.compile(
    r"#[^\n]*\b(may|might|can|could)\s+(not\s+(exist|be\s+(available|installable|found|present))|fail)"
    r"|#[^\n]*\b(not\s+(all|every)\b[^\n]*(exist|available|present)|optional|best[- ]effort|if\s+(available|present|exists))"
    r"|#[^\n]*\b(does\s+not|doesn't|do\s+not|don't|won't|never)\s+(abort|stop|fail|block|break)\b"
    r"|#[^\n]*\b(instead\s+of|rather\s+than)\s+(passing\s+)?a\s+list\b"
    r"|#[^\n]*\bone\s+(at\s+a\s+time|by\s+one)\b",
    re.I,
)


def _maybe_true(v) -> bool:
    """On, or a template that may be on."""
    if v is None or v is False:
        return False
    if isinstance(v, str):
        return is_template(v) or v.strip().lower() not in ("", "no", "false", "off", "0", "n", "f")
    return bool(v)


def must_stay_per_item(task: Task) -> str | None:
    """Why the loop is per item on purpose, or None: a failure of one item must not stop the
    others (`ignore_errors`, `failed_when`), each item is retried (`until`), or a comment
    says some items may not exist."""
    if task.has("until"):
        return "`until` retries each item"
    if task.has("failed_when"):
        return "`failed_when` judges each item"
    if _maybe_true(task.value("ignore_errors")):
        return "`ignore_errors` lets one item fail alone"
    file, node = task.file, task.node
    start = comment_block_start(file.text, node.start)
    if _PER_ITEM_COMMENT.search(file.text[start : node.end]):
        return "a comment says some items may be missing"
    loop = task.loop_node
    items = [getattr(i, "value", None) for i in loop.items] if isinstance(loop, YSeq) else []
    if any(_enables_a_repository(v) for v in items[:-1]):
        return "an early item enables a repository the later ones come from"
    return None


def _repository_first_in_values(project, task: Task) -> bool:
    """The loop's variable, where the project defines it, lists a repository package before
    other items (`packages: [epel-release, htop]` in the role's defaults)."""
    for v in _defined_values(project, task, task.loop_node) or []:
        if isinstance(v, list) and any(_enables_a_repository(x) for x in v[:-1]):
            return True
    return False


def _enables_a_repository(v: object) -> bool:
    """A repository package (`epel-release`, a `*-release.rpm` URL), or an item whose
    variable says it is one (`{{ ohpc_release }}`, `{{ epel_repo_rpm }}`)."""
    if not isinstance(v, str):
        return False
    m = re.fullmatch(r"\s*\{\{-?\s*([A-Za-z_][\w.]*)[^}]*\}\}\s*", v)
    if m:
        return bool(re.search(r"(^|_|\.)(release|repo|repository)(_|$|\.)", m.group(1)))
    return bool(_ENABLES_A_REPOSITORY.search(v)) and not v.strip().startswith("lsb-")


# a package that adds a repository (epel-release, centos-release-scl, a repo RPM by URL):
# installed first, item by item, so that the next items resolve from it; one transaction
# would look for them before the repository exists
_ENABLES_A_REPOSITORY = re.compile(r"(^|[/\s])[\w.+-]*-release(-[\w.]+)?(\.noarch)?(\.rpm)?\s*$|^\w+://\S+\.rpm$")


# a `when:` on the result of an earlier check: the loop runs on a first install only
_ONCE_ONLY = re.compile(
    r"\bis\s+(not\s+)?(failed|changed|succeeded|success|skipped|failure)\b|\.(rc|stat|stdout|changed|failed)\b"
)
REMOVED = frozenset({"absent", "removed", "purged"})


def bare_name_loop(task: Task) -> bool:
    """A loop over a bare variable name (`with_items: mongodb_packages`, Ansible 1.x style):
    ansible-core 2.2 and later take it as one string, so the task runs once, with that word
    as the item: a broken loop, not a slow one."""
    v = getattr(task.loop_node, "value", None)
    return isinstance(v, str) and bool(re.fullmatch(r"[A-Za-z_][\w]*([.][\w]+)*", v.strip())) and ("_" in v or "." in v)


def rarely_runs(task: Task) -> bool:
    """A removal (teardown code), or a loop gated (on itself or a block around it) on an
    earlier check's result."""
    state = task.args.get("state")
    if isinstance(state, str) and state.strip().lower() in REMOVED:
        return True
    for t in task.lineage():  # the task's `when:`, or a block's around it
        when = t.value("when")
        conds = when if isinstance(when, list) else [when]
        if any(isinstance(c, str) and _ONCE_ONLY.search(c) for c in conds):
            return True
    return False


# a loop over `{{ pkgs | join(',') }}` iterates over one string: a single item
_JOINED = re.compile(r"\s*\{\{.*\|\s*join\b[^|]*\}\}\s*\Z", re.S)


def _joined(loop_node) -> bool:
    value = getattr(loop_node, "value", None)
    return isinstance(value, str) and bool(_JOINED.match(value))


_ONE_VAR = re.compile(r"\s*\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}\s*\Z")


def _var_files(project, path: str) -> list[str]:
    """The YAML files that may define a task's variables, other than the play itself: its
    role's `defaults/` and `vars/` (OS-specific files included), and the `group_vars/`,
    `host_vars/` and `vars/` beside the file or a folder above it, up to the project's root."""
    out: list[str] = []
    if f"{os.sep}tasks{os.sep}" in path:
        role = path.rsplit(f"{os.sep}tasks{os.sep}", 1)[0]
        out += [os.path.join(role, "defaults")]
    root = os.path.abspath(project.root)
    d = os.path.dirname(path)
    while True:
        out += [os.path.join(d, sub) for sub in ("group_vars", "host_vars", "vars")]
        if d == root or os.path.dirname(d) == d or not d.startswith(root):
            break
        d = os.path.dirname(d)
    files: list[str] = []
    for base in dict.fromkeys(out):
        if not os.path.isdir(base):
            continue
        for dirpath, dirnames, names in os.walk(base):
            dirnames.sort()
            files += [os.path.join(dirpath, n) for n in sorted(names) if n.endswith((".yml", ".yaml"))]
    return files


def _defined_values(project, task: Task, loop_node) -> list | None:
    """The values the loop's variable is given where the project defines it (see
    `_var_files`); None when the loop is not one variable."""
    value = getattr(loop_node, "value", None)
    if isinstance(loop_node, YSeq) and len(loop_node.items) == 1:
        value = getattr(loop_node.items[0], "value", None)
    m = _ONE_VAR.match(value) if isinstance(value, str) else None
    path = project.abspath_of(task.file)
    if m is None or path is None:
        return None
    out = []
    for name in _var_files(project, path):
        f = project.yaml(name)
        data = f.data()[0] if f is not None and f.docs else None
        if isinstance(data, dict) and m.group(1) in data:
            out.append(data[m.group(1)])
    # the task's own `vars:` (and its blocks'): the value the loop reads first
    for t in task.lineage():
        vnode = t.node.get("vars")
        vars_ = vnode.to_data() if vnode is not None else None
        if isinstance(vars_, dict) and m.group(1) in vars_:
            v = vars_[m.group(1)]
            if isinstance(v, str) and _WHOLE_TEMPLATE.fullmatch(v.strip()):
                return None  # an expression: may be a list
            return [v]
    # a set_fact in the same file: a string that is more than one expression (`pkg-{{ v }}`)
    # is one name, whatever it renders to
    for t in _set_facts(project).get(id(task.file), []):
        if m.group(1) not in t.args:
            continue
        v = t.args[m.group(1)]
        if isinstance(v, str) and is_template(v) and _WHOLE_TEMPLATE.fullmatch(v.strip()):
            return None  # `{{ other }}`: may be a list
        out.append("one-name" if isinstance(v, str) else v)
    return out


def _set_facts(project) -> dict[int, list[Task]]:
    """The project's set_fact tasks by file (id of its YamlFile), found once per project."""
    if "p101.set_facts" not in project.memo:
        by_file: dict[int, list[Task]] = {}
        for t in project.all_tasks():
            if t.fqcn == "ansible.builtin.set_fact":
                by_file.setdefault(id(t.file), []).append(t)
        project.memo["p101.set_facts"] = by_file
    return project.memo["p101.set_facts"]


def known_lengths(project, task: Task, loop_node) -> list[int] | None:
    """The number of items of each value of the loop's variable where the project defines
    it, when each value found there is literal: a list of plain names, or one plain name (a
    string is one item). None when the loop is not one variable, any value is something
    else (a template, a mapping), or the variable is not found."""
    lengths: list[int] = []
    for v in _defined_values(project, task, loop_node) or []:
        if isinstance(v, str) and not is_template(v):
            lengths.append(1)
        elif isinstance(v, list) and all(isinstance(x, str) and not is_template(x) for x in v):
            lengths.append(len(v))
        elif v == {} or v is None:
            lengths.append(0)  # a role default of `{}` or nothing: "none unless set"
        else:
            return None
    return lengths or None


def known_list_length(project, task: Task, loop_node) -> int | None:
    """The most items the loop's variable holds where the project defines it (see
    `known_lengths`), else None."""
    lengths = known_lengths(project, task, loop_node)
    return max(lengths) if lengths else None


_STRING_DEFAULT = re.compile(r"""\|\s*default\(\s*(['"])[^'"]*\1\s*\)\s*\}\}\s*$""")


def _string_default(loop_node) -> bool:
    """The loop's expression falls back to one quoted name (`{{ pkgs[os] | default('kde') }}`):
    a string, which `with_items` takes as one item."""
    value = getattr(loop_node, "value", None)
    return isinstance(value, str) and bool(_STRING_DEFAULT.search(value))


def _flattened_count(project, task: Task, loop_node) -> int | None:
    """The items of a `with_items` list that mixes names and templated items, when each
    templated item is a variable the project defines as literal names (a string is one
    item, a list its length): `[ruby, "{{ rubygems_name }}"]` is two items. Else None."""
    total = 0
    for item in loop_node.items:
        value = getattr(item, "value", None)
        if isinstance(value, str) and _WHOLE_TEMPLATE.fullmatch(value):
            lengths = known_lengths(project, task, item)
            if not lengths:
                return None
            total += max(lengths)
        else:
            total += 1
    return total


def _too_few(items: int, args: dict, min_items: int) -> bool:
    """One item (one transaction already), or fewer than `min_items` that do not each
    refresh the package cache: a few seconds to save, not worth a change."""
    return items < 2 or (items < min_items and not refreshes_cache(args))


# ansible-core before 2.11 merged a loop over these modules' `name` into one call
# (DEFAULT_SQUASH_ACTIONS, removed in 2.11)
SQUASHED = frozenset({"apk", "apt", "dnf", "homebrew", "openbsd_pkg", "pacman", "pip", "pkgng", "yum", "zypper"})


def _squashed_by_pinned_core(project, task, value, var: str) -> bool:
    if short_name(task.fqcn) not in SQUASHED or not var_only(value, var):
        return False
    abspath = project.abspath_of(task.file)
    pin = project.pinned_core(os.path.dirname(abspath)) if abspath else None
    return pin is not None and pin < (2, 11)


def check(ctx):
    min_items = int(ctx.options.get("min_items", 4))
    for task in ctx.project.all_tasks():
        if task.is_block or not is_package_module(task.fqcn) or task.loop_key not in LOOP_KEYS:
            continue
        if bare_name_loop(task):
            continue  # `with_items: pkgs`: ansible-core 2.2+ loops once, over the word itself
        if must_stay_per_item(task) is not None or _repository_first_in_values(ctx.project, task):
            continue  # one transaction would fail every package where the loop fails one
        if rarely_runs(task):
            continue  # a removal or a first-install step: its speed rarely matters
        if in_unused_role(ctx.project, task):
            continue  # a role no play runs: nothing to speed up
        var = task.loop_var
        args = task.args
        name_key = next((k for k in NAME_KEYS if k in args), None)
        if name_key is None:
            continue
        value = args[name_key]
        if _squashed_by_pinned_core(ctx.project, task, value, var):
            continue
        free = task.free_form is not None and not isinstance(task.args_node, YMap)
        module = task.module
        if var_only(value, var):
            other_args = {k: v for k, v in args.items() if k != name_key}
            if any(isinstance(v, str) and mentions(v, var) for v in other_args.values()):
                continue
            name_node = None
            if isinstance(task.args_node, YMap):
                name_node = task.args_node.get(name_key)
            skip = (task.loop_node, task.args_node if free else name_node, task.module_key)
            if not free and _uses_var_elsewhere_in_args(task, name_node, var):
                continue
            if _uses_var_elsewhere(task, var, skip):
                continue
            loop_node = task.loop_node
            # with_items flattens a templated item (a list variable): the count is unknown then
            flattened = (
                task.loop_key == "with_items"
                and isinstance(loop_node, YSeq)
                and any(
                    isinstance(getattr(i, "value", None), str) and _WHOLE_TEMPLATE.fullmatch(i.value)
                    for i in loop_node.items
                )
            )
            count = len(loop_node) if isinstance(loop_node, YSeq) and not flattened else None
            if flattened:
                count = _flattened_count(ctx.project, task, loop_node)
            if count is None and _joined(loop_node):
                continue  # a string, not a list: the loop has one item (a comma-separated name)
            if count is None and _string_default(loop_node):
                continue  # `| default('cinnamon')`: the author expects one name, a one-item loop
            # the loop's own length, else the variable's where the project defines it
            known = count if count is not None else known_list_length(ctx.project, task, loop_node)
            if known is not None and _too_few(known, args, min_items):
                continue
            what = f"{count} item{'s' if count != 1 else ''}, " if count else ""
            msg = f"{module} runs once per loop item ({what}one package transaction each)"
            help = f"pass the list to `{name_key}:` and drop `{task.loop_key}:`"
            fix, why = _fix(ctx, task, name_key, name_node, free)
            if fix is None and why:
                help += f" (no automatic fix: {why})"
            yield ctx.finding(task.file, task.node.key_node(task.loop_key) or task.node, msg, fix=fix, help=help)
        elif var_attr(value, var) is not None:
            attr = var_attr(value, var)
            others = sorted({k for k, v in args.items() if k != name_key and isinstance(v, str) and mentions(v, var)})
            if set(others) - GROUPABLE:
                continue  # each item goes elsewhere (its own virtualenv, path...): nothing to batch
            if _uses_var_elsewhere(task, var, (task.loop_node, task.args_node, task.module_key)):
                continue  # per-item become_user, when, environment...: each item runs differently
            n = len(task.loop_node) if isinstance(task.loop_node, YSeq) else None
            if n is not None and _too_few(n, args, min_items):
                continue
            msg = (
                f"{module} runs once per loop item (`{name_key}: {{{{ {var}.{attr} }}}}`): one package transaction each"
            )
            help = "install the names as one list"
            if others == ["version"] and module.rsplit(".", 1)[-1] == "pip":
                help += " of `name==version` requirements (pip takes the version in the name)"
            elif others:
                help += f" (per-item {', '.join(others)}: one task per value)"
            help += "; no automatic fix for loops over dictionaries"
            yield ctx.finding(task.file, task.node.key_node(task.loop_key) or task.node, msg, help=help)


def _uses_var_elsewhere_in_args(task: Task, name_node, var: str) -> bool:
    node = task.args_node
    if not isinstance(node, YMap):
        return False
    for _k, v in node.pairs:
        if v is name_node:
            continue
        for s in _scalars(v, ()):
            if mentions(s.value, var):
                return True
    return False


def _fix(ctx, task: Task, name_key: str, name_node, free: bool):
    """(Fix, None) or (None, reason)."""
    if task.has("register"):
        return None, "`register` would hold one result instead of one per item"
    values = _defined_values(ctx.project, task, task.loop_node)
    if any(v == [] or v == {} or v is None for v in values or []):
        return None, "the variable is empty somewhere: the loop skips the task there, a list would still run it"
    loop_value = getattr(task.loop_node, "value", None)
    if short_name(task.fqcn) == "pip" and is_template(loop_value) and not values:
        # an empty list skips the looped task; `name: []` still runs pip, which fails on a
        # host without pip: only a list known to hold names is safe to pass
        return None, "the list may be empty (pip fails without a pip executable where the loop would skip)"
    if task.has("args"):
        return None, "arguments under `args:`"
    lc = task.node.get("loop_control")
    if lc is not None and not (isinstance(lc, YMap) and set(lc.keys()) <= {"loop_var"}):
        return None, "`loop_control` options"
    loop = task.loop_node
    if task.node.flow or yaml_edits.under_anchor(task.node):
        return None, None
    if isinstance(loop, YScalar):
        if not (isinstance(loop.value, str) and is_template(loop.value)):
            return None, "the loop is over a bare name, not a template"
    elif isinstance(loop, YSeq):
        if any(not isinstance(i, YScalar) for i in loop.items):
            return None, "the loop list holds lists or mappings"
        if not loop.items:
            return None, None
        # only an item that is one whole `{{ ... }}` may render to a list: text around a
        # template (`linux-headers-{{ kernel }}`) always renders to a string
        templated = [
            i
            for i in loop.items
            if isinstance(i, YScalar) and isinstance(i.value, str) and _WHOLE_TEMPLATE.fullmatch(i.value)
        ]
        if templated and not (task.loop_key == "with_items" and len(loop.items) == 1):
            # an item may be a list: `with_items` flattens it one level, `loop` does not
            return None, "a templated loop item may be a list"
    else:
        return None, None
    if (
        isinstance(loop, YSeq)
        and len(loop.items) == 1
        and isinstance(loop.items[0], YScalar)
        and is_template(loop.items[0].value)
    ):
        # `with_items: ["{{ pkgs }}"]`: the list flattened, so `name` takes the expression
        loop = loop.items[0]
    if task.loop_key == "with_items" and isinstance(loop, YScalar):
        # with_items flattens one level: a variable holding lists of packages would reach
        # `name:` nested, and the package module would take each sublist for one name
        expr = str(loop.value).strip()
        inner = expr[2:-2].strip() if expr.startswith("{{") and expr.endswith("}}") else "..."
        return None, f'`with_items` flattens nested lists: write `name: "{{{{ {inner} | flatten(levels=1) }}}}"`'
    made = task_edits.loop_into_argument(task, name_key, name_node, free, loop)
    if isinstance(made, Refusal):
        return None, made.reason
    desc = f"pass the loop's list to `{name_key}:` and remove `{task.loop_key}:`"
    return Fix.safe(made.edits, desc, made.changes), None
