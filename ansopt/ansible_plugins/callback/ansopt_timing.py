# ansopt's timing callback for ansible-core. Loaded by ansible-core from `callback_plugins`;
# it must not import ansopt (ansible may run from another Python environment).
from __future__ import annotations

DOCUMENTATION = """
name: ansopt_timing
type: aggregate
short_description: Real per-task and per-host timings, as a summary and JSON lines
description:
  - Measures every task on every host (from the task's start to the host's result) and the
    whole play, prints the slowest tasks at the end of the run, and appends one JSON object
    per task result to a file, so runs before and after an optimisation can be compared.
  - Unlike ansible.posix.profile_tasks it needs no collection, records per-host durations and
    writes machine-readable output.
requirements:
  - enable it in ansible.cfg with C(callbacks_enabled = ansopt_timing) and point
    C(callback_plugins) to the folder printed by C(python -m ansopt.ansible_plugins)
options:
  output:
    description: File the JSON lines are appended to; empty to write none.
    default: ''
    env:
      - name: ANSOPT_TIMING_OUTPUT
    ini:
      - section: callback_ansopt_timing
        key: output
  summary:
    description: How many of the slowest tasks to print at the end (0 prints none).
    type: int
    default: 10
    env:
      - name: ANSOPT_TIMING_SUMMARY
    ini:
      - section: callback_ansopt_timing
        key: summary
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "ansopt_timing"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._run_start = time.monotonic()
        self._play = None
        self._play_start = None
        self._task_start: dict[str, float] = {}
        self._task_info: dict[str, tuple[str, str]] = {}
        self._host_start: dict[tuple[str, str], float] = {}
        self._totals: dict[str, float] = {}
        self._records: list[dict] = []
        self._output = None

    def set_options(self, task_keys=None, var_options=None, direct=None):
        super().set_options(task_keys=task_keys, var_options=var_options, direct=direct)
        self._output = self.get_option("output") or None

    # -------------------------------------------------------------- events
    def v2_playbook_on_play_start(self, play):
        self._play = play.get_name().strip() or ",".join(play.hosts) if hasattr(play, "hosts") else str(play)
        self._play_start = time.monotonic()

    def _start(self, task, is_handler=False):
        uid = str(task._uuid)
        self._task_start[uid] = time.monotonic()
        self._task_info[uid] = (task.get_name().strip(), task.action)

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._start(task)

    def v2_playbook_on_handler_task_start(self, task):
        self._start(task, True)

    def v2_runner_on_start(self, host, task):
        self._host_start[(str(task._uuid), host.get_name())] = time.monotonic()

    def _result(self, result, status):
        task = result._task
        uid = str(task._uuid)
        host = result._host.get_name()
        now = time.monotonic()
        start = self._host_start.pop((uid, host), self._task_start.get(uid, now))
        name, action = self._task_info.get(uid, (task.get_name().strip(), task.action))
        duration = now - start
        key = f"{self._play} | {name}"
        self._totals[key] = max(self._totals.get(key, 0.0), now - self._task_start.get(uid, start))
        self._records.append(
            {
                "play": self._play,
                "task": name,
                "action": action,
                "host": host,
                "status": status,
                "seconds": round(duration, 4),
                "path": task.get_path(),
                "time": time.time(),
            }
        )

    def v2_runner_on_ok(self, result, **kwargs):
        self._result(result, "changed" if result._result.get("changed") else "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False, **kwargs):
        self._result(result, "ignored" if ignore_errors else "failed")

    def v2_runner_on_skipped(self, result, **kwargs):
        self._result(result, "skipped")

    def v2_runner_on_unreachable(self, result, **kwargs):
        self._result(result, "unreachable")

    def v2_playbook_on_stats(self, stats):
        total = time.monotonic() - self._run_start
        if self._output:
            path = os.path.expanduser(self._output)
            try:
                with open(path, "a", encoding="utf-8") as f:
                    for rec in self._records:
                        f.write(json.dumps(rec, sort_keys=True) + "\n")
                    f.write(
                        json.dumps({"run_seconds": round(total, 4), "time": time.time(), "tasks": len(self._totals)})
                        + "\n"
                    )
            except OSError as e:
                self._display.warning(f"ansopt_timing: cannot write {path}: {e}")
        n = int(self.get_option("summary") or 0)
        if n <= 0:
            return
        self._display.banner("ANSOPT TIMING")
        for key, seconds in sorted(self._totals.items(), key=lambda kv: -kv[1])[:n]:
            self._display.display(f"{seconds:8.2f}s  {key}")
        self._display.display(f"{total:8.2f}s  total run")
