"""A task that typically runs for minutes (download, image pull, full upgrade, build) has no `async`.

What it does
    Reports a task without an `async:` keyword that runs one of these (short or FQCN names,
    free-form arguments included):

    * modules: `get_url` and `win_get_url` (not when the URL or destination is plainly a small
      file: a key, a repository definition, a checksum, a script or a config file, judged by
      its extension), `unarchive` of a URL, `docker_image` when it pulls (`source: pull`, or
      no `source` with a `name` and no `build`/`load_path`), `docker_image_pull`,
      `docker_compose_v2_pull`, `apt` with `upgrade`, `apt`/`yum`/`dnf`/`dnf5`/`package` with
      `name: '*'` and `state: latest`, `pip` with `requirements`, `git`, `win_updates`,
      `win_feature`, `win_chocolatey`, and the modules of the `extra_modules` option;
    * `command`/`shell` text (`cmd`, the free-form text, `argv`). The text is split into simple
      commands (at `;`, `&&`, `||`, `|`, `&`, line breaks, `$(`; quotes and comments
      respected; `bash -c '...'` opened); `sudo`, `env`, `VAR=value`, `time`, `nice`,
      `then`/`do` prefixes and the command's directory are dropped; then the patterns are
      searched in each: `docker`/`podman pull`, `docker compose pull`, `apt-get upgrade`
      (and dist-/full-upgrade), `dnf`/`yum`/`zypper` update or upgrade, `pacman -Syu`,
      `pip install -r`, `npm ci` (or `npm install` with no package), `make` as the command
      word (not `mkdir`, not `cmake`), `cargo build`/`install`, `git clone` (not `git
      status`), `curl` writing to a file (`-o`/`-O`, not `-o /dev/null`), `wget` (not
      `--spider` or `-O -`), `ollama pull`, `huggingface-cli download`/`hf download`, and the
      regexes of the `extra_commands` option.

    Argument values that are templates are not guessed (`upgrade: "{{ mode }}"` is not
    reported).

    Not reported:

    * tasks that already set `async` (any value, 0 included);
    * tasks with a loop (`loop`, `with_*`): each item would be its own async job, and
      overlapping the items is the `poll: 0`/`async_status` pattern below, a restructuring a
      person should choose;
    * tasks that run on the controller (`delegate_to: localhost`, `local_action`,
      `connection: local` on the task or its block, tasks written in plays on `localhost` or
      with `connection: local`; a role's tasks are judged on their own): there is no SSH or
      WinRM connection to time out, and waiting on a local process gains nothing from a poll
      loop;
    * tasks with `check_mode: true`: nothing is downloaded or upgraded;
    * command text that sends anything to the background (`&`, `nohup`, `setsid`): it starts
      a process meant to outlive the task, and when an async job exceeds its time limit
      Ansible kills the job's whole process group; and `--help`/`--version`/dry-run calls;
    * `win_updates` with `reboot` (the module refuses async then) and `win_feature` with
      `restart` (a reboot in the middle of an async job leaves it unfinished until its time
      limit), or either set by a template;
    * modules that transfer files from the controller (`copy`, `template`, `synchronize`):
      `async` does not background the transfer, and ansible-core's file-copying action
      plugins refuse `async` outright. Listing them in `extra_modules` changes nothing.

    Handlers and `run_once` tasks are reported like any other task.

Why
    Without `async` a task holds one connection open for its whole run: an SSH or WinRM
    time-out, a NAT or firewall dropping a quiet connection, or a ControlPersist master going
    away fails a ten-minute download or upgrade that was going fine. With `async: N` the
    module starts detached on the host, the connection closes, and Ansible checks the job's
    status every `poll` seconds over short connections; the task also gets a time limit of N
    seconds instead of hanging forever.

    What it does not do: with `poll` above 0 the host still waits for the task to finish
    before its next task. It is a robustness setting, not a speed-up. Other hosts are not held
    up more than before either way (the linear strategy already runs each task on all hosts
    at once, up to `forks`). Real overlap needs `poll: 0` and a later `async_status` wait
    (below): the host goes on with its next tasks while the job runs. `strategy: free` is the
    other lever: fast hosts stop waiting for slow ones at every task.

Measured gain
    The performance guide lists a `docker pull` as "5-8 min (blocking)" before and "5-8 min
    (async)" after, and credits async with 50-70% on playbooks with long-running tasks; that
    gain only comes with the overlap pattern (its "non-blocking" comment on `poll: 15` is not
    what Ansible does). The cost, measured with ansible-core 2.19 on a local connection: a
    command that takes about a second took 18-20 s with `async: 600` and `poll: 15`, and about
    7 s with `poll: 2` (Ansible sleeps one poll interval before the first status check, after
    starting the async wrapper). So a quick idempotent re-run (the image already present, the
    checkout already current) pays up to `poll` seconds more per task: set a smaller `poll`
    where tasks are often quick. With `poll: 0`, a five-minute pull overlapped with five
    minutes of other work saves up to five minutes per host.

Example (reported)
    - name: Pull the vLLM image
      ansible.builtin.command: docker pull vllm/vllm-openai:latest
      register: pull

Use instead
    - name: Pull the vLLM image
      ansible.builtin.command: docker pull vllm/vllm-openai:latest
      async: 600
      poll: 15
      register: pull

    or, to overlap the pull with the tasks that follow:

    - name: Start pulling the vLLM image
      ansible.builtin.command: docker pull vllm/vllm-openai:latest
      async: 600
      poll: 0
      register: vllm_pull

    - name: Write the service configuration (runs while the image downloads)
      ansible.builtin.template:
        src: vllm.env.j2
        dest: /etc/vllm.env

    - name: Wait for the image
      ansible.builtin.async_status:
        jid: "{{ vllm_pull.ansible_job_id }}"
      register: vllm_pull_result
      until: vllm_pull_result.finished
      retries: 60
      delay: 10

    `unarchive` of a URL cannot take `async` (ansible-core: "This action
    (ansible.builtin.unarchive) does not support async"): download it with `get_url` and
    async, then unpack the local copy with `unarchive` and `remote_src: true`.

Fix (unsafe)
    Adds `async: 600` and `poll: 15` (the `async` and `poll` options) right after the
    module's entry (before `register`, `when` and the other keywords that follow it), at the
    task's indentation and with the file's line endings; a task that already has a `poll:`
    gets `async:` only. No fix for `unarchive` (see above), flow-style (`- {name: x, ...}`)
    or anchored tasks, or when the module's value ends in a block scalar that keeps its
    trailing blank lines (`|+`).

    Unsafe because the behaviour changes: the task now fails when it runs longer than `async`
    seconds (a pull that used to take 12 minutes fails at 10: raise the option for such
    tasks); it takes at least `poll` seconds; the job runs detached under the async wrapper,
    which needs a writable async directory on the host (`ANSIBLE_ASYNC_DIR`, by default
    `~/.ansible_async` of the become user); and the registered result gains the async fields
    (`ansible_job_id`, `finished`, `results_file`).
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import Any, Callable, Iterator

from .. import knowledge
from ..fixers import yaml_edits as Y
from ..model.tasks import Task, is_template, short_name
from ..source.yamlfile import YMap, YScalar, YSeq
from ..types import UNSAFE, Change, Fix

CODE = "P301"
SLUG = "missing-async"
SEVERITY = "info"
FIX = UNSAFE
OPTIONS = {
    "async": (
        600,
        {
            "type": "integer",
            "minimum": 1,
            "description": "The `async:` value the fix writes: the task's time limit in seconds (it fails when it runs longer).",
        },
    ),
    "poll": (
        15,
        {
            "type": "integer",
            "minimum": 1,
            "description": "The `poll:` value the fix writes: seconds between status checks, also the least time the task takes.",
        },
    ),
    "extra_modules": (
        [],
        {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "uniqueItems": True,
            "description": "Modules (FQCN or short name) reported whenever they run without async, added to the built-in list.",
        },
    ),
    "extra_commands": (
        [],
        {
            "type": "array",
            "items": {"type": "string", "minLength": 1, "format": "regex"},
            "uniqueItems": True,
            "description": (
                "Regexes (Python syntax) searched in each simple command of command/shell text, after "
                "`sudo`/`env`/`VAR=` prefixes and the command's directory are removed; added to the built-in patterns."
            ),
        },
    ),
}

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
COMMANDS = frozenset({"ansible.builtin.command", "ansible.builtin.shell"})
FALSE_WORDS = frozenset({"no", "false", "off", "0", "n", "f", ""})

# --------------------------------------------------------------------------- values


def _false(v: Any) -> bool:
    """Definitely off (False, None, 'no', ...); a template is not definitely anything."""
    if v is None or v is False:
        return True
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v == 0
    return isinstance(v, str) and not is_template(v) and v.strip().lower() in FALSE_WORDS


def _true_keyword(v: Any) -> bool:
    """A keyword that is definitely on (True or a truthy word; a template is not)."""
    return v is True or (isinstance(v, str) and not is_template(v) and v.strip().lower() in ("yes", "true", "on", "1", "y", "t"))


def _plain(v: Any) -> str | None:
    """A string value that is not a template, lower-cased and stripped; else None."""
    if isinstance(v, str) and not is_template(v):
        return v.strip().lower()
    return None


_URL = re.compile(r"(?:https?|ftp)://", re.I)
SMALL_EXTS = frozenset(
    "asc gpg key pub pem crt cer der sig sha1 sha256 sha512 md5 sum repo list sources json yml yaml toml "
    "txt md conf cfg ini xml html htm css js sh bash ps1 py rb pl php rs service socket j2 csv properties".split()
)


def _small_file(name: Any) -> bool:
    """A URL or path that plainly names a small file (a key, a repo file, a script...)."""
    if not isinstance(name, str):
        return False
    path = name.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    base = path.rsplit("/", 1)[-1].lower()
    if "gpg-key" in base or "gpgkey" in base:
        return True
    if "{{" in base:  # the extension may still be literal: "{{ name }}.asc"
        base = base.rsplit("}}", 1)[-1]
    ext = base.rsplit(".", 1)[-1] if "." in base else ""
    return ext in SMALL_EXTS


def _names(v: Any) -> list[str]:
    if isinstance(v, str):
        return [p.strip() for p in v.split(",")]
    if isinstance(v, list):
        return [str(p).strip() for p in v]
    return []


# --------------------------------------------------------------------------- modules
# Each check gets the task's args and returns what the task does (for the message), or None.


def _get_url(args: dict) -> str | None:
    if _small_file(args.get("url")) or _small_file(args.get("dest")):
        return None
    return "downloads a file"


def _unarchive(args: dict) -> str | None:
    src = args.get("src")
    if isinstance(src, str) and _URL.match(src.strip()):
        return "downloads and unpacks an archive"
    return None


def _docker_image(args: dict) -> str | None:
    state = args.get("state", "present")
    if _plain(state) != "present":
        return None
    source = args.get("source")
    if source is None:
        if args.get("name") is None or any(k in args for k in ("build", "load_path", "path")):
            return None
        return "pulls an image"
    return "pulls an image" if _plain(source) == "pull" else None


def _pulls(args: dict) -> str | None:
    return "pulls an image"


def _compose_pull(args: dict) -> str | None:
    return "pulls a project's images"


def _apt(args: dict) -> str | None:
    v = args.get("upgrade")
    if v is None or _false(v) or is_template(v):
        return _upgrade_all(args)  # `name: "*"` with `state: latest` is apt's full upgrade too
    word = _plain(v) if isinstance(v, str) else None
    return f"with `upgrade: {word or 'yes'}` upgrades every package"


def _upgrade_all(args: dict) -> str | None:
    names = _names(args.get("name", args.get("pkg")))
    if "*" in names and _plain(args.get("state")) == "latest":
        return "with `name: '*'` and `state: latest` upgrades every package"
    return None


def _pip(args: dict) -> str | None:
    if args.get("requirements") is None or _plain(args.get("state")) == "absent":
        return None
    return "installs a requirements file"


def _git(args: dict) -> str | None:
    if _false(args.get("clone", True)) and _false(args.get("update", True)):
        return None
    return "clones or updates a repository"


def _win_updates(args: dict) -> str | None:
    if not _false(args.get("reboot", False)):
        return None  # async is refused with reboot (a template may turn it on)
    return "searches, downloads and installs Windows updates"


def _win_feature(args: dict) -> str | None:
    if not _false(args.get("restart", False)):
        return None  # a reboot in the middle of an async job leaves it unfinished until the time limit
    return "installs or removes Windows features"


def _win_chocolatey(args: dict) -> str | None:
    return "installs packages"


MODULES: dict[str, Callable[[dict], str | None]] = {
    "ansible.builtin.get_url": _get_url,
    "ansible.windows.win_get_url": _get_url,
    "ansible.builtin.unarchive": _unarchive,
    "community.docker.docker_image": _docker_image,
    "community.general.docker_image": _docker_image,
    "community.docker.docker_image_pull": _pulls,
    "community.docker.docker_compose_v2_pull": _compose_pull,
    "ansible.builtin.apt": _apt,
    "ansible.builtin.yum": _upgrade_all,
    "ansible.builtin.dnf": _upgrade_all,
    "ansible.builtin.dnf5": _upgrade_all,
    "ansible.builtin.package": _upgrade_all,
    "ansible.builtin.pip": _pip,
    "ansible.builtin.git": _git,
    "ansible.windows.win_updates": _win_updates,
    "ansible.windows.win_feature": _win_feature,
    "chocolatey.chocolatey.win_chocolatey": _win_chocolatey,
    "community.windows.win_chocolatey": _win_chocolatey,
}

# Modules whose transfer happens on the controller side: never reported, even if listed.
NEVER = frozenset(
    {
        "ansible.builtin.copy",
        "ansible.builtin.template",
        "ansible.posix.synchronize",
        "ansible.windows.win_copy",
        "ansible.windows.win_template",
    }
)


def _lookup(fqcn: str, table) -> Any:
    """Find a module by FQCN, or by short name when the name did not resolve to an FQCN
    (`docker_image_pull` without `collections:`)."""
    if fqcn in table:
        return fqcn
    if "." not in fqcn:
        for name in table:
            if short_name(name) == fqcn:
                return name
    return None


@lru_cache(maxsize=None)
def action_supports_async(fqcn: str) -> bool:
    """False when ansible-core's own action plugin for the module refuses `async`
    (`_supports_async` is set by the `normal` action and a few others only)."""
    if not fqcn.startswith("ansible.builtin."):
        return fqcn not in NEVER
    core = knowledge.ansible_core_dir()
    if core is None:
        return True
    path = os.path.join(str(core), "plugins", "action", short_name(fqcn) + ".py")
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return True  # no action plugin of its own: the `normal` action, which supports async
    return "_supports_async = True" in text


# --------------------------------------------------------------------------- command text


class Pattern:
    __slots__ = ("regex", "label", "unless", "check")

    def __init__(self, regex: str, label: str, unless: str | None = None, check=None):
        self.regex = re.compile(regex)
        self.label = label
        self.unless = re.compile(unless) if unless else None
        self.check = check


_CURL_VALUE_FLAGS = frozenset("dHuXAebcFTxwrmKECYyzUQtP")
_WGET_VALUE_FLAGS = frozenset("oaitTwPUeBQlARDXI")


def _short_flag_value(tokens: list[str], i: int, flag: str, value_flags) -> tuple[bool, str | None]:
    """In the short-option cluster tokens[i] (`-fsSLo`), is `flag` given, and its value?"""
    t = tokens[i]
    for j, ch in enumerate(t[1:], 1):
        if ch == flag:
            rest = t[j + 1 :]
            return True, rest if rest else (tokens[i + 1] if i + 1 < len(tokens) else "")
        if ch in value_flags:
            break
    return False, None


def _downloads(tokens: list[str], out: str | None) -> bool:
    if out is not None and out.strip() in ("-", "/dev/null"):
        return False
    urls = [t for t in tokens if _URL.match(t)]
    return not (_small_file(out) or any(_small_file(u) for u in urls))


def _curl_download(tokens: list[str]) -> bool:
    """curl writes what it fetches to a file (`-o file`, `-O`, `--output`), not to stdout."""
    out: str | None = None
    remote = False
    for i, t in enumerate(tokens[1:], 1):
        if t.startswith("--"):
            if t == "--output":
                out = tokens[i + 1] if i + 1 < len(tokens) else ""
            elif t.startswith("--output="):
                out = t.split("=", 1)[1]
            elif t in ("--remote-name", "--remote-name-all"):
                remote = True
        elif t.startswith("-") and len(t) > 1:
            given, value = _short_flag_value(tokens, i, "o", _CURL_VALUE_FLAGS)
            if given:
                out = value
            elif _short_flag_value(tokens, i, "O", _CURL_VALUE_FLAGS)[0]:
                remote = True
    if out is None and not remote:
        return False
    return _downloads(tokens, out)


def _wget_download(tokens: list[str]) -> bool:
    """wget saves to a file unless told to write to stdout (`-O -`) or only check (`--spider`)."""
    out: str | None = None
    for i, t in enumerate(tokens[1:], 1):
        if t.startswith("--"):
            if t == "--output-document":
                out = tokens[i + 1] if i + 1 < len(tokens) else ""
            elif t.startswith("--output-document="):
                out = t.split("=", 1)[1]
        elif t.startswith("-") and len(t) > 1:
            given, value = _short_flag_value(tokens, i, "O", _WGET_VALUE_FLAGS)
            if given:
                out = value
    return _downloads(tokens, out)


_APT_SIM = r"\s(-s|--simulate|--just-print|--dry-run|--recon|--no-act|--assume-no)\b"
# (regex searched in a simple command, what it does, unless-regex, extra check of the words);
# the message quotes the matched text: "`docker pull` downloads an image".
PATTERNS = (
    Pattern(r"^(docker|podman|nerdctl)\s+(image\s+)?pull\b", "downloads an image"),
    Pattern(r"^(docker\s+compose|docker-compose|podman-compose)\b.*\spull\b", "downloads images"),
    Pattern(r"^(apt-get|apt|aptitude)\s+(.*\s)?(upgrade|dist-upgrade|full-upgrade|safe-upgrade)\b", "upgrades every package", _APT_SIM),
    Pattern(r"^(dnf|dnf5|yum|microdnf)\s+(.*\s)?(upgrade|update|distro-sync)\b", "upgrades packages", r"\s(--assumeno|--setopt=tsflags=test)\b"),
    Pattern(r"^zypper\s+(.*\s)?(update|up|dist-upgrade|dup|patch)\b", "upgrades packages", r"\s(--dry-run|-D)\b"),
    Pattern(r"^pacman\s+(.*\s)?-S\w*u\w*", "upgrades every package"),
    Pattern(r"^(pip[\d.]*|python[\d.]*\s+-m\s+pip|uv\s+pip)\s+install\s(.*\s)?(-r|--requirement)(?=\s|=|\S)", "installs a requirements file"),
    Pattern(r"^npm\s+(ci|clean-install|install-clean)\b|^npm\s+(install|i)(?=(\s+-\S+)*\s*$)", "installs a project's dependencies"),
    Pattern(r"^g?make(?=\s|$)", "builds from source", r"\s(-n|--just-print|--dry-run|--recon|-q|--question|-p|--print-data-base)(\s|$)"),
    Pattern(r"^cargo\s+(build|install)\b", "compiles a project"),
    Pattern(r"^git\s+((-C|-c)\s+\S+\s+)*clone\b", "downloads a repository"),
    Pattern(r"^curl(?=\s)", "downloads a file", check=_curl_download),
    Pattern(r"^wget(?=\s)", "downloads a file", r"\s--spider\b", check=_wget_download),
    Pattern(r"^ollama\s+pull\b", "downloads a model"),
    Pattern(r"^(huggingface-cli|hf)\s+download\b", "downloads a model"),
)

_NEVER_RUNS = re.compile(r"\s(--help|--version|-h|--usage)(\s|$)")
_ASSIGN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "ash"})
_KEYWORDS = frozenset({"then", "do", "else", "elif", "if", "while", "until", "!", "{", "}", "time", "exec", "command", "builtin"})
_BACKGROUND = frozenset({"nohup", "setsid", "disown", "daemonize", "start-stop-daemon"})
# wrapper -> options of that wrapper which take a value
_WRAPPERS = {
    "sudo": {"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-T", "-U", "--user", "--group"},
    "doas": {"-u", "-C"},
    "env": {"-u", "-C", "--unset", "--chdir", "-S"},
    "nice": {"-n", "--adjustment"},
    "ionice": {"-c", "-n", "-p", "-t"},
    "timeout": {"-s", "-k", "--signal", "--kill-after"},
    "stdbuf": {"-i", "-o", "-e"},
    "chronic": set(),
    "unbuffer": set(),
    "runuser": {"-u", "-g", "-G", "--user", "--group"},
    "flock": {"-w", "-E", "--timeout"},
}


def _split(text: str) -> Iterator[tuple[list[str], bool]]:
    """Simple commands of shell text: (words with quotes removed, sent to the background)."""
    words: list[str] = []
    word: list[str] = []
    in_word = False
    i, n = 0, len(text)

    def end_word():
        nonlocal word, in_word
        if in_word:
            words.append("".join(word))
        word, in_word = [], False

    def end_cmd(background: bool = False):
        nonlocal words
        end_word()
        if words:
            out = (words, background)
            words = []
            return out
        return None

    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n:
            if text[i + 1] == "\n":
                i += 2
                continue
            word.append(text[i + 1])
            in_word = True
            i += 2
            continue
        if c in "'\"":
            j = text.find(c, i + 1)
            if j < 0:
                j = n
            word.append(text[i + 1 : j])
            in_word = True
            i = j + 1
            continue
        if c == "#" and not in_word:
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if c in " \t":
            end_word()
            i += 1
            continue
        if c == "&":
            prev = text[i - 1] if i else ""
            nxt = text[i + 1] if i + 1 < n else ""
            if prev == ">" or nxt == ">":  # 2>&1, &>file
                word.append(c)
                in_word = True
                i += 1
                continue
            if nxt == "&":
                got = end_cmd()
                i += 2
            else:
                got = end_cmd(background=True)
                i += 1
            if got:
                yield got
            continue
        if c == "$" and i + 1 < n and text[i + 1] == "(":
            got = end_cmd()
            if got:
                yield got
            i += 2
            continue
        if c in ";|\n\r()`":
            got = end_cmd()
            if got:
                yield got
            i += 1
            continue
        word.append(c)
        in_word = True
        i += 1
    got = end_cmd()
    if got:
        yield got


def _normalize(words: list[str], depth: int = 0) -> Iterator[tuple[list[str], bool]]:
    """Drop prefixes (VAR=, sudo, env, ...) and the command's directory; open `bash -c`.
    Yields (words, backgrounded)."""
    i = 0
    background = False
    while i < len(words):
        w = words[i]
        base = w.rsplit("/", 1)[-1]
        if _ASSIGN.match(w) or w in _KEYWORDS:
            i += 1
            continue
        if base in _BACKGROUND:
            background = True
            i += 1
            continue
        if base in _WRAPPERS:
            takes = _WRAPPERS[base]
            i += 1
            if base == "timeout" and i < len(words) and not words[i].startswith("-"):
                i += 1  # the duration
            while i < len(words) and (words[i].startswith("-") or _ASSIGN.match(words[i])):
                if words[i] == "--":
                    i += 1
                    break
                i += 2 if words[i] in takes else 1
            if base == "timeout" and i < len(words) and re.match(r"\d", words[i]):
                i += 1
            continue
        break
    rest = words[i:]
    if not rest:
        return
    rest = [rest[0].rsplit("/", 1)[-1]] + rest[1:]
    if rest[0] in _SHELLS and depth < 3:
        for j, w in enumerate(rest[1:], 1):
            if re.fullmatch(r"-[a-zA-Z]*c[a-zA-Z]*", w) and j + 1 < len(rest):
                for sub, bg in _split(rest[j + 1]):
                    for got, bg2 in _normalize(sub, depth + 1):
                        yield got, bg or bg2 or background
                return
    yield rest, background


_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


def _jinja_word(m: re.Match) -> str:
    return "{{x}}" if m.group(0).startswith("{{") else " "


def command_matches(text: str, extra: list[re.Pattern]) -> list[str]:
    """Labels of the long-running commands in shell text (in order, without repeats).

    Jinja expressions become one opaque word first, so their `|` filters and quotes do not
    split the command. Text that sends anything to the background (`&`, `nohup`, `setsid`)
    starts a process meant to outlive the task: nothing is reported for it."""
    segments = []
    for words, bg in _split(_JINJA.sub(_jinja_word, text)):
        for seg, bg2 in _normalize(words):
            if bg or bg2:
                return []
            segments.append(seg)
    out: list[str] = []
    for seg in segments:
        _match_segment(seg, extra, out)
    return out


def argv_matches(argv: list[str], extra: list[re.Pattern]) -> list[str]:
    out: list[str] = []
    for seg, bg in _normalize([str(a) for a in argv]):
        if bg:
            return []
        _match_segment(seg, extra, out)
    return out


def _match_segment(seg: list[str], extra: list[re.Pattern], out: list[str]) -> None:
    line = " ".join(seg)
    if _NEVER_RUNS.search(" " + line):
        return
    for p in PATTERNS:
        m = p.regex.search(line)
        if m is None:
            continue
        if p.unless is not None and p.unless.search(" " + line):
            continue
        if p.check is not None and not p.check(seg):
            continue
        label = f"`{m.group(0).strip()}` {p.label}"
        if label not in out:
            out.append(label)
        return
    for rx in extra:
        m = rx.search(line)
        if m:
            label = f"`{m.group(0).strip() or line}` (extra_commands)"
            if label not in out:
                out.append(label)
            return


# --------------------------------------------------------------------------- where tasks run


def _local_value(v: Any) -> bool:
    return isinstance(v, str) and v.strip() in LOCAL_HOSTS


def _runs_locally(task: Task) -> bool:
    if task.delegate_local:
        return True
    t: Task | None = task
    while t is not None:
        if _local_value(t.value("delegate_to")) or t.value("connection") == "local":
            return True
        t = t.parent
    return False


def _local_play_tasks(project) -> set[int]:
    out: set[int] = set()
    for pb in project.playbooks:
        for play in pb.plays:
            hosts = [h.strip() for h in play.hosts.split(",") if h.strip()]
            local = play.value("connection") == "local" or (hosts and all(h in LOCAL_HOSTS for h in hosts))
            if local:
                out.update(id(t.node) for t in play.own_tasks())
    return out


# --------------------------------------------------------------------------- the rule


def _compile(patterns) -> list[re.Pattern]:
    out = []
    for p in patterns or ():
        try:
            out.append(re.compile(p))
        except (re.error, TypeError):
            continue  # the settings schema marks these as regexes; a bad one matches nothing
    return out


def _what(task: Task, extra_modules: set[str], extra_cmds: list[re.Pattern]) -> tuple[str | None, bool]:
    """(what runs long, for the message, or None; whether async can be added)."""
    fqcn = task.fqcn or ""
    if _lookup(fqcn, NEVER):
        return None, False
    args = task.args
    if fqcn in COMMANDS:
        labels: list[str] = []
        argv = args.get("argv")
        if isinstance(argv, list) and argv:
            labels = argv_matches(argv, extra_cmds)
        else:
            text = args.get("cmd", args.get("_raw_params"))
            if isinstance(text, str):
                labels = command_matches(text, extra_cmds)
        if not labels:
            return None, False
        return " and ".join(labels[:2]), True
    name = _lookup(fqcn, MODULES)
    what = MODULES[name](args) if name else None
    if what is not None:
        what = f"`{task.module}` {what}"
    elif fqcn in extra_modules or short_name(fqcn) in extra_modules or (task.module or "") in extra_modules:
        what = f"`{task.module}` (extra_modules)"
    if what is None:
        return None, False
    canon = name or fqcn
    return what, action_supports_async(canon)


def check(ctx):
    opts = ctx.options
    async_val = int(opts.get("async", 600))
    poll_val = int(opts.get("poll", 15))
    extra_modules = set(opts.get("extra_modules") or ())
    extra_modules |= {knowledge.get().canonical_module(m) for m in list(extra_modules)}
    extra_cmds = _compile(opts.get("extra_commands"))
    local_tasks = _local_play_tasks(ctx.project)
    for task in ctx.project.all_tasks():
        if task.is_block or task.module is None or task.has("async") or task.loop_key is not None:
            continue
        if _true_keyword(task.value("check_mode")):
            continue  # nothing is downloaded or upgraded in check mode
        if id(task.node) in local_tasks or _runs_locally(task):
            continue
        what, can_async = _what(task, extra_modules, extra_cmds)
        if what is None:
            continue
        at = task.module_key or task.node
        if not can_async:
            msg = f"{what}, which can take minutes, but its action plugin refuses `async`"
            if short_name(task.fqcn) == "unarchive":
                msg += ": download with `get_url` and async, then unarchive the local copy with `remote_src: true`"
            yield ctx.finding(task.file, at, msg)
            continue
        has_poll = task.has("poll")
        keys = f"`async: {async_val}`" + ("" if has_poll else f" and `poll: {poll_val}`")
        msg = (
            f"{what}, which can take minutes: without async the task holds one connection open all "
            f"along and an SSH or WinRM time-out fails it; add {keys} (the host still waits; "
            f"`poll: 0` with a later `async_status` overlaps it with other tasks)"
        )
        yield ctx.finding(task.file, at, msg, fix=_fix(task, async_val, None if has_poll else poll_val))


def _keeps_trailing_lines(file, node) -> bool:
    """Does the text of `node` end in a block scalar with keep chomping (`|+`, `>+`)?"""
    last = node
    while True:
        if isinstance(last, YMap) and last.pairs and not last.flow:
            last = last.pairs[-1][1]
        elif isinstance(last, YSeq) and last.items and not last.flow:
            last = last.items[-1]
        else:
            break
    if not isinstance(last, YScalar) or last.style not in ("|", ">"):
        return False
    header = file.text[last.start : Y.end_of_line(file, last.start)]
    return "+" in header.split("#", 1)[0]


def _fix(task: Task, async_val: int, poll_val: int | None) -> Fix | None:
    file = task.file
    node = task.node
    key = task.module_key
    if key is None or node.flow or Y.under_anchor(node) or not isinstance(key, YScalar):
        return None
    value = node.get(key.value)
    if value is None or _keeps_trailing_lines(file, value):
        return None
    path = Y.data_path(file, node)
    if path is None:
        return None
    nl = file.lines.newline
    indent = " " * Y.col(file, node.pairs[0][0].start)
    text = str(async_val)
    changes = [Change("set", (*path, "async"), async_val)]
    if poll_val is not None:
        text += f"{nl}{indent}poll: {poll_val}"
        changes.append(Change("set", (*path, "poll"), poll_val))
    edit = Y.insert_key(file, node, "async", text, after=key.value)
    if edit is None:
        return None
    desc = f"add async: {async_val}" + ("" if poll_val is None else f" and poll: {poll_val}")
    return Fix((edit,), UNSAFE, desc, ((None, tuple(changes)),))
