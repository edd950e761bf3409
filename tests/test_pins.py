"""model.pins: the newest ansible-core a project's Ansible pins allow, and the cfg rules that
defer to it (C302, C404)."""

from __future__ import annotations

import pytest

from ansopt.model.pins import core_of, pinned_core

from .conftest import run_engine, write_tree


@pytest.mark.parametrize(
    "files, want",
    [
        ({"requirements.txt": "ansible<2.10\njmespath\n"}, (2, 9)),
        ({"ansible.pip": "ansible<2.10\n"}, (2, 9)),
        ({"requirements.txt": "ansible==3.1.0\n"}, (2, 10)),
        ({"requirements.txt": "ansible==8.7.0\n"}, (2, 15)),
        ({"requirements.txt": "ansible<4\n"}, (2, 10)),
        ({"requirements.txt": "ansible>=2.9,<2.10\n"}, (2, 9)),
        ({"requirements.txt": "ansible-core >= 2.15, < 2.17\n"}, (2, 16)),
        ({"requirements.txt": "ansible-core==2.14.2\nansible-lint==6.0\n"}, (2, 14)),
        ({"requirements.txt": "ansible-core<2.16\n"}, (2, 15)),
        ({"Dockerfile": "RUN pip install ansible==2.9.27\n"}, (2, 9)),
        ({"scripts/lib/run.sh": "image='me/ansiblecm:ansible-3.1.0-me-0.7'\n"}, (2, 10)),  # a runner folder
        ({"roles/x/files/run.sh": "pip install ansible==2.9\n"}, None),  # another part of the project
        ({"run.sh": "image='me/ansiblecm:ansible-3.1.0-me-0.7'\n"}, (2, 10)),
        ({"requirements.txt": "ansible>=2.9\nansible-lint<6\n"}, None),  # a lower bound pins nothing
        ({"README.md": "ansible==2.9\n"}, None),
        # ansible-core's own pin wins over a loose `ansible<3` beside it
        ({"requirements.txt": "ansible>=2.15.0,<3.0.0\nansible-core>=2.15.0,<3.0.0\n"}, (2, 99)),
        ({"requirements.txt": "ansible>=2.15,<3\n"}, (2, 99)),  # ansible-core's numbers, under the old name
    ],
)
def test_pinned_core(tmp_path, files, want):
    write_tree(tmp_path, files)
    assert pinned_core(str(tmp_path), str(tmp_path), lambda p: open(p).read()) == want


def test_core_of_ansible_releases():
    assert [core_of("", m, 0) for m in (2, 3, 4, 8, 12)] == [(2, 0), (2, 10), (2, 11), (2, 15), (2, 19)]


def test_cfg_rules_defer_to_a_pinned_old_ansible(tmp_path):
    cfg = "[defaults]\ncallback_whitelist = profile_tasks\ngather_subset = !hardware\n"
    res = run_engine(write_tree(tmp_path / "new", {"ansible.cfg": cfg}), select=["C302", "C404"])
    assert sorted(f.code for f in res.findings) == ["C302", "C404"]
    old = write_tree(tmp_path / "old", {"ansible.cfg": cfg, "requirements.txt": "ansible<2.10\n"})
    assert run_engine(old, select=["C302", "C404"]).findings == []
    mid = write_tree(tmp_path / "mid", {"ansible.cfg": cfg, "requirements.txt": "ansible-core==2.16.3\n"})
    assert [f.code for f in run_engine(mid, select=["C302", "C404"]).findings] == ["C302"]
