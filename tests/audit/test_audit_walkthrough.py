"""The README's worked example for auditors (section "For auditors"), run command by command on
a fresh demo store in-process, so the walkthrough cannot rot.

Each `$ ` line of the first fenced block after "A worked example you can follow" is run: a
`betrokken` command through CliRunner, `sqlite3 FILE "SQL"` and `cp -r` in Python, `VAR=$(...)`
and `$VAR` as the shell would. Its output must match the README's, line by line, where ids,
digests and timestamps (new on every run) stand for any such value, `...` inside a line for any
text and a line `...` for any lines. A value the README copies from an earlier output (the
recorded timestamp given to `--as-of`) is replaced by the value this run printed in its place."""

from __future__ import annotations

import re
import shlex
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from betrokken.cli.main import cli

README = Path(__file__).resolve().parents[2] / "README.md"
VALUE = re.compile(r"\d+:[0-9a-f]{64}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
                   r"|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00")  # digests, ids, recording times
EXIT = "; echo $?"


def walkthrough() -> list[tuple[str, list[str]]]:
    """The block's commands, each with the output the README shows for it."""
    text = README.read_text(encoding="utf-8")
    block = text[text.index("A worked example you can follow"):]
    block = block[block.index("```\n") + 4:]
    block = block[:block.index("```\n")]
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif not line.startswith("# ") and steps:
            steps[-1][1].append(line)
    return steps


def without_comment(command: str) -> str:
    """The command without a trailing `   # ...` remark (never inside our quoted SQL)."""
    return re.sub(r"\s{2,}#.*$", "", command)


def pattern(expected: str) -> re.Pattern[str]:
    """A README output line as a pattern: any value for a value, any text for `...`."""
    parts = []
    for piece in re.split(r"(\.\.\.|…)", " ".join(expected.split())):
        if piece in ("...", "…"):
            parts.append(".*")
        else:
            parts.append("".join(r"\S+" if VALUE.fullmatch(v) else re.escape(v)
                                 for v in re.split(f"({VALUE.pattern})", piece) if v))
    return re.compile("".join(parts))


def match(expected: list[str], actual: list[str], seen: dict[str, str]) -> None:
    """The actual lines match the README's in order; record the README's values -> this run's."""
    at, skipping = 0, False
    for line in expected:
        if line.strip() in ("...", "…"):
            skipping = True
            continue
        wanted = pattern(line)
        while at < len(actual) and not wanted.fullmatch(" ".join(actual[at].split())):
            assert skipping, f"README line {line!r} does not match {actual[at]!r}"
            at += 1
        assert at < len(actual), f"README line {line!r} not in the output {actual!r}"
        for readme_value, real_value in zip(VALUE.findall(line), VALUE.findall(actual[at])):
            seen.setdefault(readme_value, real_value)
        at, skipping = at + 1, False
    assert skipping or at == len(actual), f"output lines the README does not show: {actual[at:]!r}"


class Shell:
    """Just enough of a shell for the walkthrough, on stores under a test's own directory."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root, self.monkeypatch = root, monkeypatch
        self.variables: dict[str, str] = {}
        self.seen: dict[str, str] = {}  # README values -> this run's

    def path(self, text: str) -> str:
        return re.sub(r"/tmp/(aud[\w-]*)", lambda m: str(self.root / m.group(1)), text)

    def expand(self, command: str) -> str:
        for readme_value, real_value in self.seen.items():
            command = command.replace(readme_value, real_value)
        command = re.sub(r"\$([A-Z])\b", lambda m: self.variables[m.group(1)], command)
        return self.path(command)

    def run(self, command: str) -> list[str]:
        """One `$ ` line; its output lines (with the exit code after `; echo $?`)."""
        command = without_comment(command)
        echo_exit = command.endswith(EXIT)
        command = self.expand(command.removesuffix(EXIT))
        if assigned := re.fullmatch(r"([A-Z])=\$\((.*)\)", command):
            name, inner = assigned.groups()
            last_line = inner.endswith(" | tail -1")
            lines, code = self.one(inner.removesuffix(" | tail -1"))
            assert code == 0, lines
            self.variables[name] = (lines[-1] if last_line else "\n".join(lines)).strip()
            return []
        lines, code = self.one(command)
        lines = [line.replace(str(self.root), "/tmp") for line in lines]  # paths as the README shows them
        return lines + [str(code)] if echo_exit else lines

    def one(self, command: str) -> tuple[list[str], int]:
        words = shlex.split(command)
        env = {}
        while "=" in words[0]:
            name, _, value = words.pop(0).partition("=")
            env[name] = value
        if words[0] == "export":
            name, _, value = words[1].partition("=")
            self.monkeypatch.setenv(name, value)
            return [], 0
        if words[:2] == ["cp", "-r"]:
            shutil.copytree(words[2], words[3])
            return [], 0
        if words[0] == "sqlite3":
            with sqlite3.connect(words[1]) as conn:
                conn.executescript(words[2])
            conn.close()
            return [], 0
        assert words[0] == "betrokken", f"the walkthrough runs {words[0]!r}, which this test cannot"
        with self.monkeypatch.context() as m:
            for name, value in env.items():
                m.setenv(name, value)
            result = CliRunner().invoke(cli, words[1:], catch_exceptions=False)
        # A table's "(N rows)" goes to stderr, which a terminal shows wherever it lands; the README leaves it out.
        lines = [line for line in result.output.splitlines() if not re.fullmatch(r"\(\d+ rows?\)", line)]
        return lines, result.exit_code


def test_the_readme_walkthrough_runs_on_a_fresh_demo_store(tmp_path, monkeypatch):
    monkeypatch.delenv("BETROKKEN_DATABASE_URL", raising=False)
    steps = walkthrough()
    assert len(steps) > 15 and steps[1][0] == "betrokken demo"
    shell = Shell(tmp_path, monkeypatch)
    for command, expected in steps:
        actual = shell.run(command)
        try:
            match(expected, actual, shell.seen)
        except AssertionError as e:
            raise AssertionError(f"$ {command}\n{e}") from None


def test_a_walkthrough_line_that_no_longer_matches_fails():
    with pytest.raises(AssertionError):
        match(["intact: 1399 events, head 1399:" + "a" * 64], ["intact: 1398 events, head 1398:" + "b" * 64], {})
    match(["intact: 1399 events, head 1399:" + "a" * 64, "..."], ["intact: 1399 events, head 1399:" + "b" * 64, "x"], {})
