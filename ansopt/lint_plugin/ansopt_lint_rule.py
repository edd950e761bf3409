"""The ansible-lint rule `ansopt`: every ansopt finding, as `ansopt[<slug>]`.

Loaded by ansible-lint from `-r $(ansopt lint-rules-path)` or `rulesdir:`; see
`ansopt.lint_plugin` for how it works. The module name is unique to ansopt because
ansible-lint imports rule files by their bare names.
"""

from __future__ import annotations

import os

from ansiblelint.file_utils import Lintable
from ansiblelint.rules import AnsibleLintRule

from ansopt import __version__
from ansopt.lint_plugin import RULE_ID, findings_for


class AnsoptRule(AnsibleLintRule):
    """Performance findings of ansopt (pipelining, ControlPersist, forks, fact caching,
    package loops...), the same as `ansopt check`; fix them with `ansopt fix`."""

    id = RULE_ID
    description = (
        "ansopt's performance checks: the findings of `ansopt check` (ansible.cfg, inventories, "
        "playbooks and roles), each tagged ansopt[<rule slug>]. Fix them with `ansopt fix`, "
        "which keeps comments."
    )
    shortdesc = "ansopt performance findings"
    severity = "MEDIUM"
    tags = ["ansopt", "performance"]
    version_changed = __version__

    @property
    def url(self) -> str:
        """No web page: `ansopt rule CODE` holds each rule's documentation."""
        return ""

    def _project_dir(self) -> str:
        """ansible-lint's project folder (its config's or the git top), else the working
        folder: without either ansible-lint falls back to `/`, which is nobody's project."""
        options = getattr(self._collection, "options", None) if self._collection is not None else None
        folder = str(getattr(options, "project_dir", None) or "")
        if not folder or os.path.dirname(os.path.abspath(folder)) == os.path.abspath(folder):
            return os.getcwd()
        return folder

    def matchyaml(self, file: Lintable) -> list:
        out = []
        for f in findings_for(self._project_dir(), str(file.path)):
            target = file if os.path.abspath(str(file.path)) == f.abspath else Lintable(f.abspath)
            m = self.create_matcherror(
                message=f.message, lineno=f.line, column=f.col, details=f.details, filename=target, tag=f.tag
            )
            out.append(m)
        return out
