"""The words the MLflow UI shows: the registered model's, each version's and the run's note."""

import pytest

from ganops.tracking.descriptions import (
    family,
    headline,
    merged_note,
    model_description,
    number,
    version_description,
)
from ganops.tracking.registry import Decision

NAME = "ganops-dcgan-digits"
TAGS = {
    "params_hash": "6e548efaaaedcdd2",
    "data_hash": "5e34342df84a726c",
    "steps": "2000",
    "best_step": "1750",
    "train_examples": "1617",
    "backend": "tensorflow",
    "device": "CPU",
}


def metrics(value=1.342, variant="dcgan"):
    return {
        "variant": variant,
        "dataset": "digits",
        "samples": 10000,
        "feature_extractor": "domain-classifier-85f6",
        "primary": {"name": "fid", "value": value, "better": "lower"},
        "metrics": {
            "fid": value,
            "kid": 0.012968,
            "kid_std": 0.0025,
            "baseline_fid": 9.4,
            "fid_AtoB": 2.3,
            "precision": 0.6428,
            "recall": 0.4848,
            "density": 0.3997,
            "coverage": 0.70,
        },
    }


def decision(promoted=True, reason="first version: no champion yet", **champion):
    return Decision(NAME, "2", promoted, reason, "fid", 1.342, **champion)


def test_numbers_read_well():
    assert [number(v) for v in (1617, 2000.0, 1.3424936, 0.012968, 10)] == [
        "1,617",
        "2,000",
        "1.342",
        "0.01297",
        "10",
    ]


def test_headline_is_the_first_sentence_on_one_line():
    assert headline("DCGAN (book Skill 4).\n\nMore.") == "DCGAN (book Skill 4)."
    assert headline("PixelCNN (van den Oord et al.\n2016): pixels. Then") == (
        "PixelCNN (van den Oord et al. 2016): pixels."
    )


@pytest.mark.parametrize(
    ("variant", "kind"),
    [
        ("dcgan", "GAN"),
        ("cgan", "conditional GAN"),
        ("infogan", "conditional GAN"),
        ("sgan", "conditional GAN"),
        ("pix2pix", "paired image translation"),
        ("cyclegan", "unpaired image translation"),
        ("vae", "likelihood baseline, not a GAN"),
        ("mode_collapse", "GAN"),
    ],
)
def test_each_variant_has_a_family(variant, kind):
    assert family(variant) == kind


def test_the_model_description_says_what_it_is_and_how_to_load_it():
    text = model_description(NAME, "dcgan", "digits", metrics())
    assert text.startswith("**dcgan** on `digits` (GAN): DCGAN (book Skill 4")
    assert "fid (lower is better)" in text
    assert f"`ganops generate --model {NAME} -n 64 --output samples.png`" in text
    assert f'load_generator("models:/{NAME}@champion").generate(16, seed=0)' in text


def test_translation_and_conditional_models_are_loaded_their_own_way():
    cyclegan = model_description("ganops-cyclegan-digits_m", "cyclegan", "digits_m", metrics())
    assert "`ganops translate --model ganops-cyclegan-digits_m --input" in cyclegan
    assert "--direction AtoB" in cyclegan and ".translate(images)" in cyclegan
    pix2pix = model_description("ganops-pix2pix-photos", "pix2pix", "photos", metrics())
    assert "ganops translate" in pix2pix and "--direction" not in pix2pix
    assert "`--label 7`" in model_description("ganops-cgan-digits", "cgan", "digits", metrics())


def test_the_version_description_says_trained_on_what_scored_how_and_why_champion():
    text = version_description(TAGS, metrics(), decision())
    trained, scored, verdict = text.split("\n\n")
    assert trained == (
        "Trained on `digits`, 1,617 training examples, 2,000 steps (kept: step 1,750), "
        "tensorflow on CPU; params hash `6e548efaaaedcdd2`, data hash `5e34342df84a726c`."
    )
    assert scored.startswith("**fid 1.342** (lower is better) · kid 0.01297 ↓ · precision")
    assert "baseline" not in scored and "AtoB" not in scored and "kid_std" not in scored
    assert scored.count(" · ") == 4  # the primary metric and four others
    assert "(10,000 samples, features of `domain-classifier-85f6`)" in scored
    assert verdict == "**Champion**: first version: no champion yet."


def test_a_version_that_lost_names_the_champion_and_both_numbers():
    lost = decision(False, "does not beat the champion", champion_version="1", champion_value=1.2)
    verdict = version_description(TAGS, metrics(), lost).split("\n\n")[-1]
    assert verdict == (
        "**Not champion**: does not beat the champion: fid 1.342 against v1's 1.2 "
        "(lower is better)."
    )
    unmeasured = decision(False, "champion was measured differently", champion_version="1")
    assert version_description(TAGS, metrics(), unmeasured).endswith(
        "measured differently (champion: v1)."
    )


def test_a_version_without_summary_tags_still_reads_well():
    trained = version_description({"best_step": "None"}, metrics(), decision()).split("\n")[0]
    assert trained == "Trained on `digits`."


def test_the_run_note_keeps_one_line_per_model():
    first = merged_note(None, decision(), "lower")
    assert first == (
        f"`{NAME}` v2 registered, champion: first version: no champion yet (fid 1.342)."
    )
    other = Decision("ganops-cgan-digits", "1", True, "first version: no champion yet", "fid", 3)
    both = merged_note(first, other, "lower")
    unchanged = decision(False, "unchanged: champion v2 was trained from the same data")
    again = merged_note(both, unchanged, "lower")
    assert again.split("\n\n") == [
        both.split("\n\n")[1],
        f"`{NAME}`: nothing registered, unchanged: champion v2 was trained from the same data.",
    ]
