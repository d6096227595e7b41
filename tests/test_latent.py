"""Latent-space tools: properties of the pure functions, attribute vectors on a real
classifier, and the `ganops latent` command on a registered generator."""

import keras
import numpy as np
import pytest
from PIL import Image

from ganops import latent
from ganops.console import main
from ganops.errors import GanopsError
from ganops.evaluation.features import features_and_probabilities
from stores import registered_store

RNG = np.random.default_rng(0)


def test_interpolations_start_and_end_at_their_inputs():
    z0, z1 = RNG.standard_normal(16), RNG.standard_normal(16)
    for method in ("linear", "slerp"):
        path = latent.interpolate(z0, z1, 7, method)
        assert path.shape == (7, 16)
        np.testing.assert_allclose(path[[0, -1]], [z0, z1], atol=1e-12)


def test_slerp_keeps_norms_where_the_linear_midpoint_falls_inside_the_sphere():
    d = 100
    z0, z1 = RNG.standard_normal(d), RNG.standard_normal(d)
    z1 *= np.linalg.norm(z0) / np.linalg.norm(z1)  # one norm, near sqrt(d)
    norms = np.linalg.norm(latent.interpolate(z0, z1, 9, "slerp"), axis=1)
    np.testing.assert_allclose(norms, np.linalg.norm(z0), rtol=1e-9)
    middle = np.linalg.norm(latent.interpolate(z0, z1, 3, "linear")[1])
    assert middle < 0.8 * np.linalg.norm(z0)  # nearly orthogonal: about 1/sqrt(2) of it


def test_bad_latents_are_refused_with_one_message():
    z = RNG.standard_normal(4)
    with pytest.raises(GanopsError, match="slerp between a vector and itself"):
        latent.interpolate(z, 2 * z, 5, "slerp")
    with pytest.raises(GanopsError, match="slerp from or to the zero vector"):
        latent.interpolate(np.zeros_like(z), z, 5, "slerp")
    with pytest.raises(GanopsError, match="must be vectors of 4 numbers"):
        latent.interpolate(z, RNG.standard_normal(5), 5)
    with pytest.raises(GanopsError, match="NaN or infinite"):
        latent.checked([np.nan, 0.0, 0.0, 0.0], 4)
    with pytest.raises(GanopsError, match="no sample carries the attribute"):
        latent.attribute_vector(RNG.standard_normal((5, 4)), np.zeros(5, bool))
    with pytest.raises(GanopsError, match="does not fit a latent of 4"):
        latent.perturb(z, 2, 3, "zeros")
    with pytest.raises(GanopsError, match="unknown perturbation"):
        latent.perturb(z, 0, 2, "stripes")
    with pytest.raises(GanopsError, match="at least 0.01"):
        latent.truncate(z, 0.0)


def test_perturbation_replaces_the_window_only():
    z = RNG.standard_normal((3, 12))
    for mode, expected in (("zeros", 0.0), ("ones", 1.0), ("hanning", np.hanning(4))):
        out = latent.perturb(z, 5, 4, mode)
        np.testing.assert_array_equal(out[:, 5:9], np.broadcast_to(expected, (3, 4)))
        np.testing.assert_array_equal(np.delete(out, range(5, 9), 1), np.delete(z, range(5, 9), 1))
    noise = latent.perturb(z, 5, 4, "noise", seed=3)
    np.testing.assert_array_equal(noise, latent.perturb(z, 5, 4, "noise", seed=3))


def test_truncation_keeps_every_component_inside_and_the_small_ones_as_they_were():
    z = RNG.standard_normal((50, 20)) * 2
    out = latent.truncate(z, 0.5, seed=1)
    assert np.abs(out).max() <= 0.5
    inside = np.abs(z) <= 0.5
    np.testing.assert_array_equal(out[inside], z[inside])


def test_truncation_redraws_are_independent_of_the_latents_they_replace():
    pairs = []  # (a latent's first component, the first redraw), over fixed seeds
    for seed in range(2000):
        z = latent.latents(1, 8, seed)[0]
        redrawn = np.flatnonzero(np.abs(z) > 1.0)
        if redrawn.size:
            pairs.append((z[0], latent.truncate(z, 1.0, seed)[redrawn[0]]))
    assert abs(np.corrcoef(np.transpose(pairs))[0, 1]) < 0.15  # from the latents' own stream: 0.45


def two_digit_generator(zero: np.ndarray, other: np.ndarray) -> keras.Model:
    """A stand-in generator: z's first component fades image ``other`` into ``zero``."""
    z = keras.Input((8,), name="z")
    weight = keras.layers.Lambda(lambda v: keras.ops.sigmoid(4.0 * v[:, :1]))(z)
    out = keras.layers.Lambda(
        lambda w: (
            keras.ops.reshape(w, (-1, 1, 1, 1)) * zero
            + (1.0 - keras.ops.reshape(w, (-1, 1, 1, 1))) * other
        )
    )(weight)
    return keras.Model(z, out)


def test_a_class_vector_makes_the_classifier_say_its_class_more_often(
    digits_input, digits_extractor
):
    classifier, _ = digits_extractor
    x, y = digits_input["x_train"], digits_input["y_train"]
    generator = two_digit_generator(x[y == 0][0], x[y == 7][0])
    vector = latent.class_vector(generator, classifier, label=0, n=400, seed=0)
    assert vector[0] > 0.5  # the component that makes zeros

    def share_of_zeros(z):
        probabilities = features_and_probabilities(classifier, latent.images(generator, z))[1]
        return np.mean(probabilities.argmax(axis=1) == 0)

    z = latent.latents(400, 8, seed=1)
    assert share_of_zeros(z + vector) > max(share_of_zeros(z), 0.1)  # chance: 1 in 10
    with pytest.raises(GanopsError, match="out of range"):
        latent.class_vector(generator, classifier, label=12, n=10)
    small = keras.Model(generator.inputs, keras.layers.MaxPooling2D()(generator.outputs[0]))
    with pytest.raises(GanopsError, match=r"reads images of \(.*\), the generator makes"):
        latent.class_vector(small, classifier, label=0, n=10)


def test_latent_tools_refuse_a_generator_without_z():
    image = keras.Input((8, 8, 1), name="image")
    translator = keras.Model(image, keras.layers.Identity()(image))
    with pytest.raises(GanopsError, match="takes no latent vector z"):
        latent.interpolation_grid(translator, 2, 4, "slerp", 0)


def test_cli_draws_each_figure_of_a_registered_generator(tmp_path, digits_input, capsys):
    uri = registered_store(tmp_path / "store", digits_input)
    common = ["--model", "ganops-gan-digits", "--tracking-uri", uri, "--columns", "4"]
    figures = {
        "interpolate": ["--rows", "2"],
        "perturb": ["--start", "1", "--width", "2"],
        "truncate": ["--thresholds", "1", "0.5"],
        "attribute": ["--indices", "1", "5", "9"],
    }
    for tool, more in figures.items():
        out = tmp_path / f"{tool}.png"
        assert main(["latent", tool, *common, *more, "--output", str(out)]) == 0
        assert Image.open(out).size[0] > 0
    missing = ["--class", "3", "--classifier", str(tmp_path / "none.keras")]
    assert main(["latent", "attribute", *common, *missing]) == 2
    assert capsys.readouterr().err.endswith("none.keras: no domain classifier file there\n")
    (tmp_path / "notes.txt").write_text("not a model")
    not_a_model = ["--class", "3", "--classifier", str(tmp_path / "notes.txt")]
    assert main(["latent", "attribute", *common, *not_a_model]) == 2
    assert "notes.txt: not a Keras model file (" in capsys.readouterr().err
    with pytest.raises(SystemExit) as refused:  # argparse's usage line and one error line
        main(["latent", "interpolate", *common, "--rows", "0"])
    assert refused.value.code == 2
    assert capsys.readouterr().err.endswith("argument --rows: must be at least 1, got 0\n")


def test_generate_with_the_truncation_trick(tmp_path, digits_input, capsys):
    from ganops.serving.load import load_generator

    uri = registered_store(tmp_path / "store", digits_input)
    generator = load_generator("models:/ganops-gan-digits@champion")
    plain, truncated = generator.generate(8, seed=3), generator.generate(8, 3, truncation=0.5)
    np.testing.assert_array_equal(truncated, generator.generate(8, 3, truncation=0.5))
    assert truncated.shape == plain.shape and not np.array_equal(truncated, plain)
    with pytest.raises(GanopsError, match="at least 0.01"):
        generator.generate(8, 3, truncation=0.0)
    out = tmp_path / "grid.png"
    command = ["generate", "--model", "ganops-gan-digits", "--tracking-uri", uri]
    assert main([*command, "--truncation", "0.5", "-n", "9", "--output", str(out)]) == 0
    assert out.is_file() and "wrote 9 samples" in capsys.readouterr().out
