"""The fixers' vocabulary: each builder's exact text, and the verifier's word on it (the
text outside the edit unchanged, the data = old data + the declared changes)."""

from __future__ import annotations

import pytest

from ansopt.diagnostics import Edit, Span
from ansopt.fixers import Edits, Refusal, cfg_edits, combine, new_file, task_edits, yaml_edits
from ansopt.fixers.verify import apply_edits, verify
from ansopt.model.tasks import iter_task_list
from ansopt.source import cfgfile, yamlfile


def _applied(path: str, text: str, edits, changes) -> str:
    edits, changes = list(edits), list(changes)
    new = apply_edits(text, edits)
    assert verify(path, text, new, edits, changes) is None
    return new


def _task(text: str, index: int = 0):
    f = yamlfile.load_text("tasks.yml", text)
    return f, list(iter_task_list(f, f.root, "task"))[index]


# --------------------------------------------------------------------------- ansible.cfg


CFG = "[ssh_connection]\nssh_args = -C   ; keep it short\ncontrol_path = /tmp/ansible-%%h-%%p-%%r\n"


def test_append_to_value_keeps_the_comment():
    cfg = cfgfile.load_text("ansible.cfg", CFG)
    edit, change = cfg_edits.append_to_value(cfg, cfg.get("ssh_connection", "ssh_args"), "-o ControlPersist=60s")
    assert change.value == "-C -o ControlPersist=60s"
    new = _applied("ansible.cfg", CFG, [edit], [change])
    assert new.splitlines()[1] == "ssh_args = -C -o ControlPersist=60s   ; keep it short"


def test_replace_in_value_offsets_into_the_written_value():
    cfg = cfgfile.load_text("ansible.cfg", CFG)
    opt = cfg.get("ssh_connection", "control_path")
    raw = cfg_edits.raw_value(cfg, opt)
    assert raw == "/tmp/ansible-%%h-%%p-%%r"
    start = raw.index("%%h")
    made = cfg_edits.replace_in_value(cfg, opt, start, len(raw), "%%C")
    assert made is not None
    assert made[1].value == "/tmp/ansible-%%C"
    assert _applied("ansible.cfg", CFG, [made[0]], [made[1]]).endswith("control_path = /tmp/ansible-%%C\n")
    assert cfg_edits.replace_in_value(cfg, opt, 5, len(raw) + 1, "x") is None  # past the value


def test_raw_value_refuses_continuation_lines():
    text = "[defaults]\nx = a\n  b\n"
    cfg = cfgfile.load_text("ansible.cfg", text)
    assert cfg_edits.raw_value(cfg, cfg.get("defaults", "x")) is None


def test_new_cfg_and_new_file():
    cfg = cfg_edits.NewCfg()
    cfg.comment("Written by a test.", "")
    cfg.blank()
    cfg.section("defaults")
    cfg.option("forks", "20", "As many as hosts.")
    with pytest.raises(ValueError):
        cfg_edits.NewCfg().option("forks", "5")
    assert cfg.text == "# Written by a test.\n#\n\n[defaults]\n# As many as hosts.\nforks = 20\n"
    made = new_file("/x/ansible.cfg", cfg.text, cfg.changes)
    assert made.edits == (Edit(Span(0, 0), cfg.text, "/x/ansible.cfg"),)
    assert dict(made.changes)["/x/ansible.cfg"] == tuple(cfg.changes)
    assert verify("/x/ansible.cfg", "", cfg.text, list(made.edits), list(cfg.changes)) is None
    assert cfgfile.parse_values(cfg.text) == {"defaults": {"forks": "20"}}


# --------------------------------------------------------------------------- YAML


def test_insert_keys_one_edit_after_the_module():
    text = "- name: fetch\n  get_url:\n    url: https://x/big.iso\n    dest: /srv\n  become: true\n"
    f, task = _task(text)
    made = yaml_edits.insert_keys(f, task.node, [("async", 600), ("poll", 15)], after="get_url")
    assert made is not None
    edit, changes = made
    assert [c.path for c in changes] == [(0, 0, "async"), (0, 0, "poll")]
    new = _applied("tasks.yml", text, [edit], changes)
    assert (
        new
        == "- name: fetch\n  get_url:\n    url: https://x/big.iso\n    dest: /srv\n  async: 600\n  poll: 15\n  become: true\n"
    )


def test_insert_keys_refuses_after_a_kept_block_scalar():
    text = "- shell: |+\n    make\n\n  become: true\n"
    f, task = _task(text)
    assert yaml_edits.ends_in_kept_block_scalar(f, task.node.get("shell"))
    assert yaml_edits.insert_keys(f, task.node, [("async", 60)], after="shell") is None
    assert yaml_edits.insert_keys(f, task.node, [], after="shell") is None


def test_args_as_mapping_with_a_block_value():
    text = "- apt: name=git state=present\n"
    f, task = _task(text)
    args = {"name": ["git", "curl"], "state": "present"}
    made = task_edits.args_as_mapping(
        task, args, {"name": lambda col: "".join(f"\n{' ' * col}- {n}" for n in args["name"])}
    )
    assert made is not None
    new = _applied("tasks.yml", text, [made[0]], [made[1]])
    assert new == "- apt:\n    name:\n    - git\n    - curl\n    state: present\n"
    assert task_edits.args_as_mapping(task, args, {"name": lambda col: None}) is None


def test_append_free_form_arg():
    text = "- apt: update_cache=yes\n"
    f, task = _task(text)
    made = task_edits.append_free_form_arg(task, task.args_node, "cache_valid_time", "3600")
    assert isinstance(made, Edits)
    assert _applied("tasks.yml", text, made.edits, made.changes) == "- apt: update_cache=yes cache_valid_time=3600\n"
    text = "- apt: >\n    update_cache=yes\n"
    f, task = _task(text)
    assert task_edits.append_free_form_arg(task, task.args_node, "cache_valid_time", "3600") == Refusal(
        "block-scalar arguments"
    )


def test_loop_into_argument():
    text = '- name: tools\n  apt:\n    name: "{{ item }}"\n  loop:\n    - git\n    - curl\n'
    f, task = _task(text)
    made = task_edits.loop_into_argument(task, "name", task.args_node.get("name"), False, task.loop_node)
    assert isinstance(made, Edits)
    new = _applied("tasks.yml", text, made.edits, made.changes)
    assert new == "- name: tools\n  apt:\n    name:\n      - git\n      - curl\n"


def test_loop_into_argument_keeps_a_comment_or_refuses():
    text = '- apt:\n    name: "{{ item }}"\n  loop: "{{ pkgs }}"  # from group_vars\n'
    f, task = _task(text)
    made = task_edits.loop_into_argument(task, "name", task.args_node.get("name"), False, task.loop_node)
    assert made == Refusal("a comment on the `loop:` lines would be lost")


def test_merge_name_lists_moves_comments_with_their_packages():
    text = "- apt:\n    name: git\n- apt:\n    name: curl  # for the probes\n- debug: msg=x\n"
    f = yamlfile.load_text("tasks.yml", text)
    tasks = list(iter_task_list(f, f.root, "task"))
    made = task_edits.merge_name_lists(f.root, [0, 1], [(tasks[0], "name", ["git"]), (tasks[1], "name", ["curl"])])
    assert isinstance(made, Edits)
    new = _applied("tasks.yml", text, made.edits, made.changes)
    assert new == "- apt:\n    name:\n      - git\n      - curl  # for the probes\n- debug: msg=x\n"


def test_combine_refuses_overlapping_edits():
    a = Edit(Span(0, 5), "x")
    b = Edit(Span(3, 8), "y")
    assert combine([a, b], []) is None
    ok = combine([a, Edit(Span(5, 8), "y")], [])
    assert ok is not None and len(ok.edits) == 2
