"""Shell text as words: the lexing the rules share.

* `split_args`: an ssh/*_args value as ansible-core splits it (`shlex.split`);
* `tokens_with_spans`: the same words with their offsets in the text, for edits that
  replace one word. shlex reports no offsets, so its POSIX rules (quotes, backslash escapes)
  are followed by hand here, and the tests compare the words with shlex's (one difference:
  an escaped line break is dropped, as the shell does; shlex keeps the line break);
* `simple_commands` and `command_words`: command/shell task text cut into simple commands
  (at `;`, `&&`, `||`, `|`, `&`, line breaks, `(`, `)`, backquotes, `$(`), each with the
  prefixes that only wrap the command removed (`VAR=x`, `sudo -u u`, `env`, `timeout 5`,
  shell keywords) and `bash -c '...'` opened. This does not use shlex: shlex refuses
  unbalanced quotes (a Jinja-templated command often has them), has no notion of `&`, `$(`,
  backquotes or `2>&1`, and keeps an escaped line break in the word; the shell drops it;
* `mask_jinja`: Jinja expressions as one opaque word, so their `|` filters and quotes do not
  split a command; `commands` / `argv_commands`: all of the above for a task's text or argv;
* `option_value`, `has_option`: a command's options, read the way getopt reads them.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator

# --------------------------------------------------------------------------- argument lists


def split_args(text: str) -> list[str] | None:
    """The argument list ansible-core builds from an *_args value (`shlex.split`, empty
    items dropped); None when shlex cannot split it (ansible-core would fail too)."""
    try:
        return [t.strip() for t in shlex.split(text) if t.strip()]
    except ValueError:
        return None


def tokens_with_spans(text: str) -> list[tuple[str, int, int]] | None:
    """POSIX-shell words of `text` with their (start, end) offsets, as `shlex.split` splits
    them (quotes removed in the word, not in the span); None on unbalanced quotes."""
    out: list[tuple[str, int, int]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        word: list[str] = []
        while i < n and not text[i].isspace():
            c = text[i]
            if c == "'":
                j = text.find("'", i + 1)
                if j < 0:
                    return None
                word.append(text[i + 1 : j])
                i = j + 1
            elif c == '"':
                i += 1
                while i < n and text[i] != '"':
                    if text[i] == "\\" and i + 1 < n and text[i + 1] in '"\\$`\n':
                        i += 1
                    word.append(text[i])
                    i += 1
                if i >= n:
                    return None
                i += 1
            elif c == "\\" and i + 1 < n:
                if text[i + 1] != "\n":
                    word.append(text[i + 1])
                i += 2
            else:
                word.append(c)
                i += 1
        out.append(("".join(word), start, i))
    return out


# --------------------------------------------------------------------------- shell commands

_ASSIGN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "ash"})
_KEYWORDS = frozenset(
    {"then", "do", "else", "elif", "if", "while", "until", "!", "{", "}", "time", "exec", "command", "builtin"}
)
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


def simple_commands(text: str) -> Iterator[tuple[list[str], bool]]:
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


def command_words(words: list[str], depth: int = 0) -> Iterator[tuple[list[str], bool]]:
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
                for sub, bg in simple_commands(rest[j + 1]):
                    for got, bg2 in command_words(sub, depth + 1):
                        yield got, bg or bg2 or background
                return
    yield rest, background


JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


def jinja_word(m: re.Match) -> str:
    """One opaque word for an expression (`{{x}}`), a space for a statement or a comment."""
    return "{{x}}" if m.group(0).startswith("{{") else " "


def mask_jinja(text: str) -> str:
    """`text` with each `{{ ... }}` as the word `{{x}}` and each `{% ... %}` / `{# ... #}` as a space."""
    return JINJA.sub(jinja_word, text)


def commands(text: str) -> list[list[str]] | None:
    """The simple commands of shell text (Jinja masked, prefixes removed, `bash -c` opened),
    or None when any of it is sent to the background (`&`, `nohup`, `setsid`, ...)."""
    out: list[list[str]] = []
    for words, bg in simple_commands(mask_jinja(text)):
        for seg, bg2 in command_words(words):
            if bg or bg2:
                return None
            out.append(seg)
    return out


def argv_commands(argv: list) -> list[list[str]] | None:
    """`commands` for an argument list (a task's `argv`)."""
    out: list[list[str]] = []
    for seg, bg in command_words([str(a) for a in argv]):
        if bg:
            return None
        out.append(seg)
    return out


def task_commands(args: dict) -> list[list[str]] | None:
    """The simple commands a command/shell task runs: its `argv` list, else its `cmd` or
    free-form text ([] when it has neither; None when any of it goes to the background)."""
    argv = args.get("argv")
    if isinstance(argv, list) and argv:
        return argv_commands(argv)
    text = args.get("cmd", args.get("_raw_params"))
    return commands(text) if isinstance(text, str) else []


# --------------------------------------------------------------------------- options of a command

# short options that take a value, per command (their getopt strings), for `option_value`
VALUE_FLAGS = {
    "curl": frozenset("dHuXAebcFTxwrmKECYyzUQtP"),
    "wget": frozenset("oaitTwPUeBQlARDXI"),
}


def short_option(tokens: list[str], i: int, flag: str, value_flags: frozenset[str]) -> tuple[bool, str | None]:
    """In the short-option cluster tokens[i] (`-fsSLo`), is `flag` given, and its value? The
    cluster ends at the first of `value_flags` (the command's options that take a value)."""
    t = tokens[i]
    for j, ch in enumerate(t[1:], 1):
        if ch == flag:
            rest = t[j + 1 :]
            return True, rest if rest else (tokens[i + 1] if i + 1 < len(tokens) else "")
        if ch in value_flags:
            break
    return False, None


def option_value(tokens: list[str], short: str, long: str, value_flags: frozenset[str]) -> str | None:
    """The value of the last `-X value`, `-Xvalue`, `--long value` or `--long=value` among a
    command's words (tokens[0] is the command; `value_flags`: its short options that take a
    value, see VALUE_FLAGS): '' when the value is missing, None when the option is not given."""
    out: str | None = None
    for i, t in enumerate(tokens[1:], 1):
        if t.startswith("--"):
            if t == long:
                out = tokens[i + 1] if i + 1 < len(tokens) else ""
            elif t.startswith(long + "="):
                out = t.split("=", 1)[1]
        elif t.startswith("-") and len(t) > 1:
            given, value = short_option(tokens, i, short, value_flags)
            if given:
                out = value
    return out


def has_option(tokens: list[str], short: str, longs: tuple[str, ...], value_flags: frozenset[str]) -> bool:
    """Is the flag `-short` (in a cluster) or one of `longs` among a command's words?"""
    for i, t in enumerate(tokens[1:], 1):
        if t.startswith("--"):
            if t in longs:
                return True
        elif t.startswith("-") and len(t) > 1 and short_option(tokens, i, short, value_flags)[0]:
            return True
    return False


def operands_after(tokens: list[str], verbs: tuple[str, ...]) -> list[str] | None:
    """The words after the first of `verbs` (a subcommand: `dnf -y update x`) that are not
    options, or None when no verb is there."""
    for i, t in enumerate(tokens):
        if t in verbs:
            return [w for w in tokens[i + 1 :] if not w.startswith("-")]
    return None
