"""The task model: actions, FQCN, free-form arguments as ansible-core splits them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ansopt.model.tasks import _fast_parse_kv, iter_task_list
from ansopt.source.yamlfile import load_text

_words = st.text(alphabet="abcxyz019/._-:@=' \"{}\\\\%#\n\t", min_size=1, max_size=24)


@settings(max_examples=500, deadline=None)
@given(_words, st.booleans())
def test_fast_parse_kv_matches_ansible_core(text, check_raw):
    from ansible.parsing.splitter import parse_kv

    fast = _fast_parse_kv(text, check_raw)
    if fast is None:
        return
    assert fast == parse_kv(text, check_raw=check_raw), (text, check_raw)


def test_fast_path_covers_the_common_forms():
    assert _fast_parse_kv("uptime", True) == {"_raw_params": "uptime"}
    assert _fast_parse_kv("ls -la /tmp", True) == {"_raw_params": "ls -la /tmp"}
    assert _fast_parse_kv("name=git state=present", False) == {"name": "git", "state": "present"}
    assert _fast_parse_kv("name={{ x }}", False) is None


def test_fast_path_with_several_spaces_between_pairs():
    """`name=git  state=present` (two spaces): found on a public project, it crashed the fast path."""
    from ansible.parsing.splitter import parse_kv

    for text in ("name=git  state=present", "pkg=vim   state=latest update_cache=yes"):
        assert _fast_parse_kv(text, False) == parse_kv(text, check_raw=False)


def test_actions_and_free_form():
    f = load_text(
        "t.yml",
        "- apt: name=git state=present\n"
        "- action: yum name=x\n"
        "- local_action: command echo hi creates=/x\n"
        "- name: block\n  block:\n    - debug: msg=hi\n  when: x\n"
        "- community.general.pacman:\n    name: [a]\n  loop: [1]\n",
    )
    tasks = list(iter_task_list(f, f.root))
    apt, action, local, block, pacman = tasks
    assert apt.fqcn == "ansible.builtin.apt" and apt.args == {"name": "git", "state": "present"}
    assert action.module == "yum" and action.args == {"name": "x"}
    assert local.delegate_local and local.args == {"_raw_params": "echo hi", "creates": "/x"}
    assert block.is_block and [t.fqcn for t in block.children["block"]] == ["ansible.builtin.debug"]
    assert pacman.fqcn == "community.general.pacman" and pacman.loop_key == "loop"
