"""MkDocs hooks of the documentation site (``hooks:`` in mkdocs.yml).

- The notebooks: ``notebooks/*.ipynb`` become pages under ``notebooks/`` (mkdocs-jupyter renders
  them). ``GANOPS_DOCS_NOTEBOOKS`` names another folder to take them from: ``make docs`` points
  it at the executed copies ``docs/notebooks.py`` writes to ``build/notebooks``.
- The CLI reference: ``<!-- cli-reference -->`` in ``cli.md`` becomes every command's
  ``--help``, built from the parsers themselves (``ganops.console.parser()`` walked through its
  sub-commands, and ``python -m ganops.bench``'s), so a renamed flag shows up by itself.

``parsers()`` is also what ``tests/docs/test_commands.py`` checks the documented commands with.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[1]
MARKER = "<!-- cli-reference -->"
WIDTH = "80"  # the help's line width, whatever the terminal that builds the site


def walk(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """``parser`` and every sub-command's parser under it, depth first (``ganops latent`` has
    tools of its own), each once."""
    yield parser
    seen: set[int] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                if id(sub) not in seen:  # aliases name one parser several times
                    seen.add(id(sub))
                    yield from walk(sub)


class _Built(Exception):
    """Raised with the parser ``ganops.bench.main`` built, before it parses anything."""


def bench_parser() -> argparse.ArgumentParser:
    """``python -m ganops.bench``'s parser: ``ganops.bench.parser()`` if there is one, else the
    one its ``main`` builds, taken at ``parse_args`` before anything runs."""
    from ganops import bench

    if callable(getattr(bench, "parser", None)):
        return bench.parser()

    def stop(self, *args, **kwargs):
        raise _Built(self)

    with mock.patch.object(argparse.ArgumentParser, "parse_args", stop):
        try:
            bench.main([])
        except _Built as built:
            return built.args[0]
    raise RuntimeError("ganops.bench.main built no argument parser")


def parsers() -> dict[str, argparse.ArgumentParser]:
    """The documented commands' parsers by program name: ``ganops``, ``ganops generate``, …,
    ``ganops latent interpolate``, …, ``python -m ganops.bench``."""
    from ganops.console import parser

    found = {p.prog: p for p in walk(parser())}
    found["python -m ganops.bench"] = bench_parser()
    return found


@contextlib.contextmanager
def columns(width: str) -> Iterator[None]:
    """argparse wraps help to the terminal's width (``COLUMNS``): a fixed one here."""
    before = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = width
    try:
        yield
    finally:
        if before is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = before


def reference() -> str:
    """Markdown: a section per command, its ``--help`` as argparse prints it."""
    with columns(WIDTH):
        sections = [
            f"## `{name}`\n\n```text\n{p.format_help().rstrip()}\n```\n"
            for name, p in parsers().items()
        ]
    return "\n".join(sections)


def on_page_markdown(markdown: str, page, config, files) -> str:
    if MARKER in markdown:
        return markdown.replace(MARKER, reference())
    return markdown


@event_priority(100)  # before mkdocs-jupyter's on_files, which turns the notebooks into pages
def on_files(files: Files, config) -> Files:
    folder = Path(os.environ.get("GANOPS_DOCS_NOTEBOOKS") or ROOT / "notebooks")
    if not folder.is_absolute():
        folder = ROOT / folder
    if folder.name != "notebooks":  # mkdocs-jupyter finds a page's notebook under its src_dir
        raise ValueError(f"GANOPS_DOCS_NOTEBOOKS={folder}: name a folder called notebooks")
    for path in sorted(folder.glob("*.ipynb")):
        files.append(
            File(
                f"notebooks/{path.name}",
                src_dir=str(folder.parent),
                dest_dir=config.site_dir,
                use_directory_urls=config.use_directory_urls,
            )
        )
    return files
