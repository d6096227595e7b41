"""The variants' families (DESIGN.md §3) and the Kedro tags that select them
(``kedro run --tags conditional``, kedro-viz's tag filter)."""

import pytest

from ganops.errors import ConfigError
from ganops.pipeline_registry import register_pipelines
from ganops.variants import FAMILIES, VARIANTS, family

#: DESIGN.md §3's table, the failure-mode experiments (the vanilla GAN) unconditional.
DESIGN_TABLE = {
    "unconditional": {
        "gan",
        "dcgan",
        "wgan",
        "lsgan",
        "wgan_gp",
        "sngan",
        "mode_collapse",
        "convergence_failure",
    },
    "conditional": {"cgan", "acgan", "sgan", "infogan"},
    "paired_translation": {"pix2pix", "srgan", "srresnet", "context_encoder"},
    "unpaired_translation": {"cyclegan", "discogan", "cartoongan"},
    "likelihood": {"vae", "pixelcnn"},
}


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
    shared = [n for n in pipes["all"].nodes if n.namespace is None]  # data and features
    assert shared and not any(n.tags & FAMILIES.keys() for n in shared)
    conditional = pipes["all"].only_nodes_with_tags("conditional")
    assert {n.namespace for n in conditional.nodes} == DESIGN_TABLE["conditional"]
    assert {n.name for n in pipes["__default__"].only_nodes_with_tags("unconditional").nodes} == {
        "dcgan.train",
        "dcgan.evaluate",
        "dcgan.report",
        "dcgan.register",
    }
