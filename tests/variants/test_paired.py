"""Paired translation variants: Pix2Pix, SRGAN, Context Encoder (one family, one game), and
SRResNet (SRGAN's generator alone)."""

import keras
import numpy as np
import pytest

from ganops.errors import ConfigError
from ganops.nets.translation import KeepLuma, PixelShuffle, receptive_field
from ganops.sampling import Feed, Inputs
from ganops.training import backend
from ganops.training.trainer import sample_batches
from ganops.variants import PAIRED, build_variant
from ganops.variants.base import DataSpec
from tiny import TINY_MODELS

TASKS = {
    "pix2pix": "colorize",
    "srgan": "super_resolution",
    "srresnet": "super_resolution",
    "context_encoder": "inpaint",
}


def built(name, data, **model):
    keras.utils.set_random_seed(0)
    return build_variant(name, TINY_MODELS[name] | model, DataSpec.from_meta(data["meta"]))


def test_every_paired_variant_is_tested():
    assert set(TASKS) == set(PAIRED)


@pytest.mark.parametrize("name", list(TASKS))
def test_a_few_updates_change_every_network_with_finite_losses(name, paired_inputs):
    data = paired_inputs[TASKS[name]]
    gan = built(name, data, **({"content": "pixel"} if name == "srgan" else {}))
    spec = Inputs.of(gan.generator)
    assert spec.image == tuple(data["meta"]["pairs"]["source_shape"]) and not spec.latent_dim
    backend.build_optimizers(gan)
    before = {p.name: [np.array(v) for v in p.variables] for p in gan.players}
    call = backend.make_train_call(gan)
    pools = gan.pools(data, 0)
    logged = {"g_loss"} if name == "srresnet" else {"d_loss", "g_loss", "g_reconstruction"}
    for step in range(4):  # SRGAN's tiny pre-training phase is 3 generator steps
        logs = call(sample_batches(pools, step, (gan.updates_per_step(), 4), seed=0))
        assert logged <= logs.keys()
        assert all(np.isfinite(v) for v in logs.values())
    for player in gan.players:
        after = [np.array(v) for v in player.variables]
        assert any(
            not np.array_equal(a, b) for a, b in zip(before[player.name], after, strict=True)
        )
    outputs = Feed(data["source_test"], data["x_test"]).samples(gan.generator, 3, 0)
    assert outputs.shape == (3, *data["meta"]["sample_shape"])


def test_pairs_are_drawn_aligned(paired_inputs):
    data = paired_inputs["colorize"]
    gan = built("pix2pix", data)
    batch = sample_batches(gan.pools(data, 0), 0, (1, 8), seed=0)
    luma = batch["x"] @ np.array([0.299, 0.587, 0.114], np.float32)
    np.testing.assert_allclose(batch["source"][..., 0], luma, atol=1e-5)


def test_pix2pix_keeping_luma_changes_colour_only_and_survives_a_save(paired_inputs, tmp_path):
    data = paired_inputs["colorize"]
    generator = built("pix2pix", data, keep_luma=True).generator
    source = data["source_test"][:4]
    out = keras.ops.convert_to_numpy(generator(source, training=False))
    inside = (np.abs(out) < 1.0).all(axis=-1)  # where no channel was clipped
    luma = out @ np.array([0.299, 0.587, 0.114], np.float32)
    assert inside.mean() > 0.5
    np.testing.assert_allclose(luma[inside], source[..., 0][inside], atol=1e-5)
    assert np.abs(out - out.mean(axis=-1, keepdims=True)).max() > 1e-3  # colour, not gray
    generator.save(tmp_path / "g.keras")
    again = keras.saving.load_model(tmp_path / "g.keras")
    np.testing.assert_allclose(again(source, training=False), out, atol=1e-6)
    other = built("pix2pix", paired_inputs["inpaint"], keep_luma=True).generator
    assert not any(isinstance(layer, KeepLuma) for layer in other.layers)  # ignored, not refused


def test_context_encoder_keeps_known_pixels_and_fills_the_hole(paired_inputs):
    data = paired_inputs["inpaint"]
    generator = built("context_encoder", data).generator
    source = data["source_test"][:4]
    out = keras.ops.convert_to_numpy(generator(source, training=False))
    known = np.broadcast_to(source[..., -1:] > 0, out.shape)
    np.testing.assert_allclose(out[known], source[..., :-1][known], atol=1e-6)
    assert not np.allclose(out[~known], 0.0)  # the hole holds a prediction


def test_srgan_content_loss_uses_the_dataset_classifier(paired_inputs):
    from ganops.evaluation.features import build_classifier

    data = paired_inputs["super_resolution"]
    spec = DataSpec.from_meta(data["meta"])
    with pytest.raises(ConfigError, match="needs the dataset's feature extractor"):
        build_variant("srgan", TINY_MODELS["srgan"], spec)
    classifier = build_classifier(tuple(data["meta"]["sample_shape"]), 3, 8)
    gan = build_variant("srgan", TINY_MODELS["srgan"], spec, features=classifier)
    backend.build_optimizers(gan)
    call = backend.make_train_call(gan)
    logs = [call(sample_batches(gan.pools(data, 0), s, (2, 4), 0)) for s in range(5)]
    assert all(np.isfinite(v) for step in logs for v in step.values())


@pytest.mark.parametrize(
    ("name", "task", "message"),
    [
        ("pix2pix", "super_resolution", "same size.*use srgan"),
        (
            "srgan",
            "colorize",
            "translates super_resolution pairs; this dataset's pairs are colorize",
        ),
        ("context_encoder", "colorize", "translates inpaint pairs"),
    ],
)
def test_a_variant_refuses_pairs_of_another_task(name, task, message, paired_inputs):
    with pytest.raises(ConfigError, match=message):
        built(name, paired_inputs[task])


def test_paired_variants_refuse_unpaired_data_and_vice_versa(digits_input, paired_inputs):
    with pytest.raises(ConfigError, match="does not train on images.*--params dataset="):
        build_variant("pix2pix", {}, DataSpec.from_meta(digits_input["meta"]))
    with pytest.raises(ConfigError, match="'dcgan' does not train on pairs"):
        build_variant("dcgan", {}, DataSpec.from_meta(paired_inputs["colorize"]["meta"]))


def test_unet_depth_must_divide_the_image_size(paired_inputs):
    with pytest.raises(ConfigError, match="image size 16 cannot be halved 5 times by the U-Net"):
        built("pix2pix", paired_inputs["colorize"], generator_filters=[8] * 5)


def test_patchgan_receptive_field_is_the_papers_70_pixels():
    assert receptive_field([64, 128, 256, 512]) == 70
    assert receptive_field([64, 128]) == 16


def test_pixel_shuffle_moves_channels_into_space():
    x = np.arange(2 * 2 * 8, dtype=np.float32).reshape(1, 2, 2, 8)
    out = keras.ops.convert_to_numpy(PixelShuffle(2)(x))
    assert out.shape == (1, 4, 4, 2)
    np.testing.assert_array_equal(out[0, :2, :2, 0], x[0, 0, 0, [0, 2, 4, 6]].reshape(2, 2))


def test_srgan_content_from_a_local_vgg19_weights_file(paired_inputs, tmp_path):
    data = paired_inputs["super_resolution"]
    spec = DataSpec.from_meta(data["meta"])
    missing = TINY_MODELS["srgan"] | {"vgg19_weights": str(tmp_path / "none.weights.h5")}
    with pytest.raises(ConfigError, match="vgg19_weights: .*none.weights.h5 is not a file"):
        build_variant("srgan", missing, spec)
    weights = tmp_path / "vgg19.weights.h5"  # random weights: the format is what matters
    keras.applications.VGG19(include_top=False, weights=None, input_shape=(32, 32, 3)).save_weights(
        weights
    )
    gan = build_variant("srgan", TINY_MODELS["srgan"] | {"vgg19_weights": str(weights)}, spec)
    backend.build_optimizers(gan)
    call = backend.make_train_call(gan)
    logs = [call(sample_batches(gan.pools(data, 0), s, (2, 2), 0)) for s in range(4)]
    assert all(np.isfinite(v) for step in logs for v in step.values())


def trained_on(metric, variant, data, model, train, tmp_path, classes, samples, better="lower"):
    """``train_run`` keeping the checkpoint best on ``metric`` over the first ``samples``
    held-out pairs, checkpointing at each scoring; the extractor is untrained, since FD is
    not scored."""
    from ganops.evaluation.evaluate import primary_score
    from ganops.evaluation.features import build_classifier
    from ganops.training.run import train_run

    extractor = build_classifier(tuple(data["meta"]["sample_shape"]), classes, 8)
    score = primary_score(extractor, {}, samples, metric=metric, model_input=data)
    folders = tmp_path / "c", tmp_path / "r"
    every = train["evaluate_every"]  # checkpoints and grids as often as scores, not every 3 steps
    train = train | {"checkpoint_every": every, "sample_every": every, "log_every": every}
    return train_run(data, variant, model, train, *folders, score=score, primary=(metric, better))


def test_a_trained_pix2pix_beats_an_untrained_one_on_held_out_l1(paired_inputs, tmp_path):
    from ganops.evaluation.evaluate import translation_evaluation
    from tiny import TINY_TRAIN

    data = paired_inputs["colorize"]
    untrained = built("pix2pix", data).generator
    before = translation_evaluation(untrained, data)[0]["l1"]
    train = TINY_TRAIN | {"steps": 150, "batch_size": 8, "evaluate_every": 50}
    model = TINY_MODELS["pix2pix"] | {"generator_optimizer": {"learning_rate": 2e-3}}
    result = trained_on("l1", "pix2pix", data, model, train, tmp_path, classes=3, samples=32)
    after = translation_evaluation(result.gan.generator, data)[0]["l1"]
    assert after < 0.7 * before
    assert result.summary["best_l1"] == result.scores["l1"].min()
    assert (tmp_path / "r" / "samples.png").is_file()  # rows: sources, outputs, targets


def test_a_trained_context_encoder_fills_real_digits_better_than_biharmonic(tmp_path):
    from ganops.data.sources import ingest
    from ganops.data.transforms import PreprocessConfig, to_model_input
    from ganops.evaluation.evaluate import translation_evaluation
    from ganops.evaluation.translation import baseline, hole_metrics
    from tiny import TINY_TRAIN

    pairs = {"task": "inpaint", "size": 28, "hole": 12, "position": "center"}
    data = to_model_input(
        ingest("mnist5k_inpaint", {"format": "mnist5k", "pairs": pairs}), PreprocessConfig()
    )
    data["source_test"], data["x_test"] = data["source_test"][:100], data["x_test"][:100]
    untrained = built("context_encoder", data).generator
    before, _ = translation_evaluation(untrained, data)
    train = TINY_TRAIN | {"steps": 400, "batch_size": 16, "evaluate_every": 100}
    model = {"generator_filters": [16, 32], "bottleneck": 64, "discriminator_filters": [8, 16]}
    model |= {"generator_optimizer": {"learning_rate": 1e-3}}
    result = trained_on("l1_hole", "context_encoder", data, model, train, tmp_path, 10, 100)
    after, _ = translation_evaluation(result.gan.generator, data)
    sources, targets = data["source_test"], data["x_test"]
    biharmonic = hole_metrics(baseline("inpaint", sources, targets.shape), targets, sources)
    assert after["l1_hole"] < 0.7 * before["l1_hole"]
    assert after["l1_hole"] < biharmonic["l1_hole"]  # strokes inferred, not smoothed over


def test_a_trained_srresnet_beats_bicubic_on_held_out_photos_luma_psnr(tmp_path):
    from ganops.data.sources import ingest
    from ganops.data.transforms import PreprocessConfig, to_model_input
    from ganops.evaluation.evaluate import translation_evaluation
    from ganops.evaluation.translation import baseline, sr_metrics
    from tiny import TINY_TRAIN

    pairs = {"task": "super_resolution", "size": 32, "factor": 4}
    source = {"format": "photos", "patch": 32, "patches_per_photo": 300}
    source |= {"test_patches_per_photo": 100, "flip": True}
    data = to_model_input(ingest("photos_sr", source | {"pairs": pairs}), PreprocessConfig())
    sources, targets = data["source_test"], data["x_test"]
    bicubic = sr_metrics(baseline("super_resolution", sources, targets.shape, 4), targets, 4)
    train = TINY_TRAIN | {"steps": 300, "batch_size": 16, "evaluate_every": 100}
    model = {"generator_filters": 16, "residual_blocks": 2, "residual": True, "pixel_loss": "l1"}
    model |= {"optimizer": {"learning_rate": 1e-3, "beta_1": 0.9}}
    result = trained_on("psnr_y", "srresnet", data, model, train, tmp_path, 6, 200, "higher")
    after, _ = translation_evaluation(result.gan.generator, data)
    assert after["psnr_y"] > bicubic["psnr_y"] + 0.2  # the untrained residual model is bicubic
    assert result.summary["best_psnr_y"] == result.scores["psnr_y"].max()
