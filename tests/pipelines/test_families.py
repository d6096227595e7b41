"""The variants' families (the architecture page's table, docs/architecture.md) and the Kedro
tags that select them (``kedro run --tags conditional``, kedro-viz's tag filter)."""

import re
from pathlib import Path

import pytest

from ganops.errors import ConfigError
from ganops.pipeline_registry import register_pipelines
from ganops.variants import FAMILIES, VARIANTS, family

ARCHITECTURE = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


def design_table() -> dict[str, set[str]]:
    """docs/architecture.md's families table (between ``<!-- families -->`` markers): each
    row's family, then its variants, in backticks; the failure-mode experiments (the vanilla
    GAN) unconditional."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    table = text.split("<!-- families -->")[1].split("<!-- /families -->")[0]
    rows = [line.split("|")[1:3] for line in table.splitlines() if line.startswith("| `")]
    return {
        re.findall(r"`(\w+)`", tag)[0]: set(re.findall(r"`(\w+)`", names)) for tag, names in rows
    }


DESIGN_TABLE = design_table()


def test_every_variant_is_in_exactly_one_family_as_designed():
    assert {name: set(members) for name, members in FAMILIES.items()} == DESIGN_TABLE
    for variant in VARIANTS:
        assert sum(variant in members for members in FAMILIES.values()) == 1, variant
        assert variant in FAMILIES[family(variant)]


def test_family_of_an_unknown_variant_lists_the_known():
    with pytest.raises(ConfigError, match="unknown variant 'nope'; known: acgan"):
        family("nope")


def test_variant_nodes_carry_their_family_tag_and_nothing_else_does():
    pipes = register_pipelines()
    for name in ("train", "evaluate", "register"):
        for node in pipes[name].nodes:
            assert node.tags == {family(node.namespace)}, node.name
    shared = [n for n in pipes["sampling"].nodes if n.namespace is None]  # data and features
    assert shared and not any(n.tags & FAMILIES.keys() for n in shared)
    conditional = pipes["sampling"].only_nodes_with_tags("conditional")
    assert {n.namespace for n in conditional.nodes} == DESIGN_TABLE["conditional"]
    assert {n.name for n in pipes["__default__"].only_nodes_with_tags("unconditional").nodes} == {
        "dcgan.train",
        "dcgan.evaluate",
        "dcgan.report",
        "dcgan.register",
    }
