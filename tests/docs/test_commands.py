"""Every command the README and the documentation site show in a ``bash`` / ``console`` block is
checked against what it names, so a renamed target, pipeline or flag fails here, not in a
reader's terminal.

The rules, kept simple:

- A block's lines are joined where they end in ``\\``; ``#`` starts a comment; in a ``console``
  block only the lines after a ``$ `` prompt are commands. ``&&``, ``||``, ``;`` and ``|``
  separate commands, and ``NAME=value`` words before a command are its environment.
- A command holding a placeholder (``…``, ``...``, ``<`` or ``>``) is skipped.
- ``make T…``: every target named is one of the Makefile's (``NAME=value`` words are
  variables).
- ``kedro run …`` parses with Kedro's own ``run`` options (ganops.cli's); its pipelines are
  registered, its namespaces are in them, its tags are on their nodes, ``dataset=`` names an
  entry of ``parameters_ingest.yml``, ``--env`` a folder of ``conf/``. ``kedro worker V``:
  ``V`` is a variant. Kedro's other commands (``mlflow``, ``viz``, ``jupyter``…) are
  plugins' own and not checked.
- ``ganops …`` and ``python -m ganops.bench …`` parse with their own parsers (the ones
  docs/hooks.py writes the CLI reference from).
- Any other program (``dvc``, ``mlflow``, ``git``, ``curl``…) is not checked.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
FENCE = re.compile(r"^\s*```+\s*(\w*)")
SEPARATORS = {"&&", "||", ";", "|", "&"}
PLACEHOLDERS = ("…", "...", "<", ">")
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def blocks(path: Path) -> Iterator[tuple[int, str, str]]:
    """``(line number, language, command line)`` for each command line of the ``bash``,
    ``shell``, ``sh`` and ``console`` blocks of ``path``, continuations joined."""
    language, pending, start = None, "", 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        fence = FENCE.match(line)
        if fence:
            language = None if language is not None else fence.group(1) or ""
            continue
        if language not in ("bash", "shell", "sh", "console"):
            continue
        text = line.strip()
        if not pending:
            start = number
            if language == "console":
                if not text.startswith("$ "):
                    continue
                text = text[2:]
        if text.endswith("\\"):
            pending += text[:-1] + " "
            continue
        text, pending = pending + text, ""
        if text and not text.startswith("#"):
            yield start, language, text


def commands(line: str) -> Iterator[list[str]]:
    """The commands of a shell line, comments dropped, environment assignments stripped."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    command: list[str] = []
    for token in [*lexer, ";"]:
        if token in SEPARATORS or set(token) <= set(";&|"):
            while command and ASSIGNMENT.match(command[0]):
                command.pop(0)
            if command:
                yield command
            command = []
        else:
            command.append(token)


def load_hooks():
    """docs/hooks.py, whose ``parsers()`` the CLI reference is built from."""
    spec = importlib.util.spec_from_file_location("docs_hooks", REPO / "docs" / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Reality:
    """What the commands may name: the Makefile's targets, the registered pipelines, the
    datasets, the environments and the parsers."""

    def __init__(self) -> None:
        from ganops.pipeline_registry import register_pipelines
        from ganops.variants import VARIANTS

        makefile = (REPO / "Makefile").read_text()
        self.targets = set(re.findall(r"^([a-z][a-z0-9-]*):", makefile, re.MULTILINE))
        self.pipelines = register_pipelines()
        ingest = yaml.safe_load((REPO / "conf/base/parameters_ingest.yml").read_text())
        self.datasets = set(ingest["datasets"])
        self.envs = {p.name for p in (REPO / "conf").iterdir() if p.is_dir()}
        self.variants = set(VARIANTS)
        self.parsers = load_hooks().parsers()

    def check(self, words: list[str]) -> str | None:
        """Why the command ``words`` does not match reality, or None."""
        program = Path(words[0]).name
        if program == "make":
            unknown = [w for w in words[1:] if "=" not in w and not w.startswith("-")]
            unknown = [w for w in unknown if w not in self.targets]
            return f"no make target {', '.join(unknown)}" if unknown else None
        if program == "kedro" and words[1:2] == ["run"]:
            return self.kedro_run(words[2:])
        if program == "kedro" and words[1:2] == ["worker"]:
            return self.kedro_worker(words[2:])
        if program == "ganops":
            return self.parse("ganops", words[1:])
        if program.startswith("python") and words[1:3] == ["-m", "ganops.bench"]:
            return self.parse("python -m ganops.bench", words[3:])
        return None

    def parse(self, name: str, args: list[str]) -> str | None:
        stderr = io.StringIO()
        try:
            with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
                self.parsers[name].parse_args(args)
        except SystemExit as exit:
            if exit.code:
                return stderr.getvalue().strip().splitlines()[-1]
        return None

    def kedro_run(self, args: list[str]) -> str | None:
        from ganops.cli import run

        try:
            options = run.make_context("kedro run", list(args)).params
        except click.ClickException as err:
            return f"kedro run: {err.format_message()}"
        names = [*options["pipelines"], *([options["pipeline"]] if options["pipeline"] else [])]
        unknown = [n for n in names if n not in self.pipelines]
        if unknown:
            return f"no pipeline {', '.join(unknown)}"
        nodes = [node for name in names or ["__default__"] for node in self.pipelines[name].nodes]
        namespaces = {node.namespace.split(".")[0] for node in nodes if node.namespace}
        tags = {tag for node in nodes for tag in node.tags}
        problems = [f"no namespace {n}" for n in options["namespaces"] if n not in namespaces]
        problems += [f"no tag {t}" for t in options["tags"] if t not in tags]
        dataset = options["params"].get("dataset")
        if dataset is not None and dataset not in self.datasets:
            problems.append(f"no dataset {dataset}")
        if options["env"] and options["env"] not in self.envs:
            problems.append(f"no environment conf/{options['env']}")
        return "; ".join(problems) or None

    def kedro_worker(self, args: list[str]) -> str | None:
        from ganops.cli import worker

        try:
            options = worker.make_context("kedro worker", list(args)).params
        except click.ClickException as err:
            return f"kedro worker: {err.format_message()}"
        return None if options["variant"] in self.variants else f"no variant {options['variant']}"


def documented() -> list[tuple[str, str]]:
    """Every checked command as ``(where, command)``: ``README.md:12``, its text."""
    found = []
    for path in DOCUMENTS:
        for number, _, line in blocks(path):
            for words in commands(line):
                if any(mark in word for word in words for mark in PLACEHOLDERS):
                    continue
                found.append((f"{path.relative_to(REPO)}:{number}", shlex.join(words)))
    return found


@pytest.fixture(scope="module")
def reality() -> Reality:
    return Reality()


def test_every_documented_command_names_what_exists(reality):
    found = documented()
    checked = [
        (where, text, reality.check(shlex.split(text)))
        for where, text in found
        if Path(shlex.split(text)[0]).name in ("make", "kedro", "ganops")
        or " -m ganops.bench" in text
    ]
    assert len(checked) > 50, checked  # the README's and the site's commands were found
    failures = [f"{where}: {text}\n    {why}" for where, text, why in checked if why]
    assert not failures, "\n".join(failures)


def test_the_rules_catch_a_wrong_target_pipeline_flag_and_dataset(reality):
    assert reality.check(["make", "run"]) is None
    assert reality.check(["make", "SERVER_PORT=5000", "server"]) is None
    assert reality.check(["make", "nosuch"]) == "no make target nosuch"
    assert (
        reality.check(shlex.split("kedro run --pipelines pix2pix --params dataset=photos_color"))
        is None
    )
    assert reality.check(shlex.split("kedro run --pipelines nope")) == "no pipeline nope"
    assert "No such option" in reality.check(shlex.split("kedro run --pipeline-names all"))
    assert reality.check(shlex.split("kedro run --params dataset=nope")) == "no dataset nope"
    assert reality.check(shlex.split("kedro run --namespaces cgan")) == "no namespace cgan"
    assert reality.check(shlex.split("kedro worker nope")) == "no variant nope"
    assert reality.check(shlex.split("ganops generate --model m -n 4")) is None
    assert "invalid choice" in reality.check(shlex.split("ganops nosuch"))
    assert "unrecognized arguments" in reality.check(
        shlex.split("ganops generate --model m --nope")
    )
    assert reality.check(shlex.split("python -m ganops.bench --variants dcgan")) is None
    assert reality.check(shlex.split("python -m ganops.bench --nope")) is not None


def test_lines_are_split_into_commands_with_their_environment_and_comments_dropped(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "```bash\n"
        "KERAS_BACKEND=jax kedro run --pipelines mixtures  # the study\n"
        "make pull && make repro\n"
        "make server SERVER_HOST=0.0.0.0 \\\n"
        "    SERVER_PORT=5000\n"
        "# a comment\n"
        "```\n"
        "```console\n$ make test\noutput, not a command\n```\n"
        "```python\nmake = 1\n```\n"
    )
    lines = [(number, line) for number, _, line in blocks(page)]
    assert [n for n, _ in lines] == [2, 3, 4, 9]
    assert [words for _, line in lines for words in commands(line)] == [
        ["kedro", "run", "--pipelines", "mixtures"],
        ["make", "pull"],
        ["make", "repro"],
        ["make", "server", "SERVER_HOST=0.0.0.0", "SERVER_PORT=5000"],
        ["make", "test"],
    ]
