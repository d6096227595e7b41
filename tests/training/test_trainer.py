import keras
import numpy as np
import pytest
import tensorflow as tf

from ganops.errors import ConfigError, DataError, TrainingDiverged
from ganops.evaluation.evaluate import primary_score
from ganops.sampling import generate
from ganops.training import checkpoint
from ganops.training.callbacks import BestCheckpoint, SampleGrid
from ganops.training.config import TrainConfig
from ganops.training.run import check_trained_on, train_run
from ganops.training.trainer import Trainer, sample_batches
from ganops.variants import build_variant
from ganops.variants.base import DataSpec
from tiny import TINY_MODELS, TINY_TRAIN


@pytest.fixture
def deterministic_ops():
    """Bit-for-bit repeatable kernels, so an exact resume can be checked (stays on after)."""
    tf.config.experimental.enable_op_determinism()


def trainer(data, folder, steps, fingerprint="run", callbacks=(), **train):
    keras.utils.set_random_seed(0)
    gan = build_variant("dcgan", TINY_MODELS["dcgan"], DataSpec.from_meta(data["meta"]))
    config = TrainConfig(**{**TINY_TRAIN, "steps": steps, **train})
    return Trainer(gan, config, folder, fingerprint, list(callbacks))


def real(x):
    return {"real": {"x": x}}


def weights(t):
    return [np.array(v) for v in t.gan.generator.variables]


def test_sample_batches_are_a_pure_function_of_seed_and_step():
    x = np.arange(100)[:, None]
    pools = {"real": {"x": x, "y": np.arange(100)}}
    a = sample_batches(pools, 7, (2, 5), seed=1)
    b = sample_batches(pools, 7, (2, 5), seed=1)
    assert a["x"].shape == (2, 5, 1) and a["y"].shape == (2, 5)
    np.testing.assert_array_equal(a["x"], b["x"])
    np.testing.assert_array_equal(a["x"][..., 0], a["y"])  # one index per pool: aligned
    assert not np.array_equal(a["x"], sample_batches({"real": {"x": x}}, 8, (2, 5), seed=1)["x"])
    assert len(np.unique(a["x"])) == 10  # no repeats within a step when data suffice


def test_pools_are_drawn_independently_and_keep_their_pairs():
    source = np.arange(50)[:, None]
    pools = {"pairs": {"source": source, "x": -source}, "other": {"o": np.arange(50)}}
    batches = sample_batches(pools, 0, (1, 20), seed=0)
    np.testing.assert_array_equal(batches["source"], -batches["x"])
    assert not np.array_equal(batches["source"][..., 0], batches["o"])


def test_resume_reaches_the_same_step_and_weights_as_an_uninterrupted_run(
    digits_input, tmp_path, deterministic_ops
):
    x = digits_input["x_train"]
    straight = trainer(digits_input, tmp_path / "a", steps=6)
    straight.fit(real(x))
    first = trainer(digits_input, tmp_path / "b", steps=3)  # "interrupted" after step 3
    first.fit(real(x))
    resumed = trainer(digits_input, tmp_path / "b", steps=6)
    history = resumed.fit(real(x))
    assert list(history["step"]) == [1, 2, 3, 4, 5, 6]
    assert [p.name for p in checkpoint.list_checkpoints(tmp_path / "b")][-1] == "ckpt-00000006.npz"
    for a, b in zip(weights(straight), weights(resumed), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    again = trainer(digits_input, tmp_path / "b", steps=6)  # finished: nothing to do
    assert len(again.fit(real(x))) == 6


def test_fewer_steps_than_the_checkpoints_reach_say_that_nothing_is_trained(
    digits_input, tmp_path, caplog
):
    x = real(digits_input["x_train"])
    trainer(digits_input, tmp_path, steps=4).fit(x)
    with caplog.at_level("WARNING", logger="ganops.training.trainer"):
        history = trainer(digits_input, tmp_path, steps=2).fit(x)
    assert len(history) == 4  # the run as it was
    assert "already reaches step 4, past train.steps 2: nothing to train" in caplog.text


def test_several_steps_per_call_train_as_one_step_per_call(digits_input, tmp_path):
    x = real(digits_input["x_train"])
    one = trainer(digits_input, tmp_path / "1", steps=7)
    monitor = {"every": 3}
    three = trainer(digits_input, tmp_path / "3", steps=7, steps_per_call=3, monitor=monitor)
    np.testing.assert_allclose(one.fit(x), three.fit(x), rtol=1e-4, atol=1e-5)
    for a, b in zip(weights(one), weights(three), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    names = [p.name for p in checkpoint.list_checkpoints(tmp_path / "3")]
    assert names == ["ckpt-00000003.npz", "ckpt-00000006.npz", "ckpt-00000007.npz"]


def test_nan_guard_stops_at_once_and_keeps_the_last_good_checkpoint(digits_input, tmp_path):
    x = digits_input["x_train"]
    trainer(digits_input, tmp_path, steps=3).fit(real(x))
    good = tmp_path / "ckpt-00000003.npz"
    before = good.read_bytes()
    poisoned = x.copy()
    poisoned[:] = np.nan
    with pytest.raises(
        TrainingDiverged,
        match=r"d_loss.*NaN or infinite by step 4.*"
        r"ckpt-00000003.npz",
    ):
        trainer(digits_input, tmp_path, steps=6).fit(real(poisoned))
    assert [p.name for p in checkpoint.list_checkpoints(tmp_path)] == ["ckpt-00000003.npz"]
    assert good.read_bytes() == before


def test_checkpoints_of_other_parameters_are_not_resumed(digits_input, tmp_path):
    x = digits_input["x_train"]
    trainer(digits_input, tmp_path, steps=3, fingerprint="old").fit(real(x))
    history = trainer(digits_input, tmp_path, steps=3, fingerprint="new").fit(real(x))
    assert list(history["step"]) == [1, 2, 3]
    assert checkpoint.latest(tmp_path).fingerprint == "new"


def test_damaged_newest_checkpoint_is_skipped_and_old_ones_pruned(digits_input, tmp_path):
    trainer(digits_input, tmp_path, steps=6, checkpoint_every=1, keep_checkpoints=2).fit(
        real(digits_input["x_train"])
    )
    files = checkpoint.list_checkpoints(tmp_path)
    assert [p.name for p in files] == ["ckpt-00000005.npz", "ckpt-00000006.npz"]
    files[-1].write_bytes(b"truncated")
    assert checkpoint.latest(tmp_path).step == 5
    files[-1].write_bytes(b"")  # what a power cut after the rename can leave
    assert checkpoint.latest(tmp_path).step == 5


def test_a_damaged_later_checkpoint_does_not_prune_the_one_just_written(digits_input, tmp_path):
    x = digits_input["x_train"]
    trainer(digits_input, tmp_path, steps=6, checkpoint_every=3).fit(real(x))
    (tmp_path / "ckpt-00000006.npz").write_bytes(b"damaged")
    trainer(digits_input, tmp_path, steps=5, checkpoint_every=1, keep_checkpoints=1).fit(real(x))
    assert checkpoint.latest(tmp_path).step == 5


def test_sample_grids_and_gif_follow_the_run(digits_input, tmp_path):
    grid = SampleGrid(tmp_path / "reports", every=2, count=4)
    trainer(digits_input, tmp_path / "ckpt", steps=4, callbacks=[grid]).fit(
        real(digits_input["x_train"])
    )
    frames = [step for step, _ in grid.frame_files()]
    assert frames == [0, 2, 4]
    assert (tmp_path / "reports" / "samples.png").is_file()
    import imageio.v3 as iio

    assert iio.imread(tmp_path / "reports" / "progress.gif", index=None).shape[0] == 3
    (grid.frames / "step-00000099.png").write_bytes(b"stale frame from a crashed run")
    grid.on_start(None, 4)
    assert [step for step, _ in grid.frame_files()] == [0, 2, 4]


@pytest.mark.parametrize(
    ("train", "key"),
    [
        ({"batch_size": -64}, "dcgan.train.batch_size"),
        ({"d_steps": 0}, "d_steps"),
        ({"epochs": 3}, "epochs"),
        ({"steps_per_call": 2}, r"steps_per_call 2 must divide checkpoint_every \(3\)"),
    ],
)
def test_invalid_training_parameters_fail_before_any_output(digits_input, tmp_path, train, key):
    with pytest.raises(ConfigError, match=key):
        train_run(
            digits_input,
            "dcgan",
            TINY_MODELS["dcgan"],
            {**TINY_TRAIN, **train},
            tmp_path / "ckpt",
            tmp_path / "reports",
        )
    assert not any(tmp_path.iterdir())


def test_train_run_summarises_and_names_the_run(digits_input, tmp_path):
    result = train_run(
        digits_input, "gan", TINY_MODELS["gan"], TINY_TRAIN, tmp_path / "ckpt", tmp_path / "reports"
    )
    assert result.summary["steps"] == 6 and result.summary["dataset"] == "digits"
    assert result.summary["images_per_second"] > 0
    assert set(result.summary["final_losses"]) >= {"d_loss", "g_loss"}
    with pytest.raises(ConfigError, match="unknown variant 'nope'"):
        train_run(digits_input, "nope", {}, TINY_TRAIN, tmp_path / "x", tmp_path / "y")


@pytest.mark.parametrize("option", ["jit_compile", "mixed_precision"])
def test_xla_and_mixed_precision_options_train(digits_input, tmp_path, option):
    result = train_run(
        digits_input,
        "dcgan",
        TINY_MODELS["dcgan"],
        {**TINY_TRAIN, "steps": 2, option: True},
        tmp_path / "c",
        tmp_path / "r",
    )
    assert all(np.isfinite(v) for v in result.summary["final_losses"].values())
    assert generate(result.gan.generator, 2, seed=0).dtype == np.float32  # outputs stay float32
    assert keras.mixed_precision.global_policy().name == "float32"  # policy restored


def scripted_score(values):
    """A score that returns ``values`` in turn and remembers the weights it saw."""
    seen = []

    def score(generator):
        seen.append([np.array(w) for w in generator.get_weights()])
        return values[len(seen) - 1]

    return score, seen


def test_the_best_scored_generator_is_kept_not_the_last(digits_input, tmp_path):
    score, seen = scripted_score([5.0, 2.0, 4.0])  # scored at steps 2, 4, 6: best is step 4
    best = BestCheckpoint(score, every=2, folder=tmp_path)
    t = trainer(digits_input, tmp_path, steps=6, callbacks=[best])
    t.fit(real(digits_input["x_train"]))
    assert (best.best_step, best.best_value) == (4, 2.0)
    assert list(best.scores["step"]) == [2, 4, 6]
    for kept, at_step_4 in zip(t.gan.generator.get_weights(), seen[1], strict=True):
        np.testing.assert_array_equal(kept, at_step_4)
    assert not all(np.array_equal(a, b) for a, b in zip(seen[1], seen[2], strict=True))


def test_a_higher_is_better_metric_keeps_the_highest(digits_input, tmp_path):
    score, _ = scripted_score([20.0, 25.0, 22.0])  # PSNR-like
    best = BestCheckpoint(score, every=2, folder=tmp_path, name="psnr", better="higher")
    trainer(digits_input, tmp_path, steps=6, callbacks=[best]).fit(real(digits_input["x_train"]))
    assert (best.best_step, best.best_value) == (4, 25.0)
    assert list(best.scores.columns) == ["step", "psnr"]


def test_resume_keeps_the_best_and_drops_scores_past_the_checkpoint(digits_input, tmp_path):
    score, _ = scripted_score([3.0, 1.0, 9.0, 9.0])
    trainer(digits_input, tmp_path, steps=4, callbacks=[BestCheckpoint(score, 2, tmp_path)]).fit(
        real(digits_input["x_train"])
    )
    (tmp_path / "scores.csv").write_text("step,fid\n2,3.0\n4,1.0\n6,0.5\n")  # a crashed future
    best = BestCheckpoint(lambda g: 9.0, 2, tmp_path)
    trainer(digits_input, tmp_path, steps=6, callbacks=[best]).fit(real(digits_input["x_train"]))
    assert list(best.scores["step"]) == [2, 4, 6] and best.scores["fid"].iloc[-1] == 9.0
    assert (best.best_step, best.best_value) == (4, 1.0)


def test_a_crashed_runs_best_is_not_taken_for_this_ones(digits_input, tmp_path):
    x = digits_input["x_train"]
    crashed = BestCheckpoint(lambda g: 1.0, 2, tmp_path)
    trainer(digits_input, tmp_path, steps=2, callbacks=[crashed]).fit(real(x))
    for path in checkpoint.list_checkpoints(tmp_path):  # it crashed after scoring, before these
        path.unlink()
    best = BestCheckpoint(lambda g: 5.0, 2, tmp_path)
    t = trainer(digits_input, tmp_path, steps=4, fingerprint="other", callbacks=[best])
    t.fit(real(x))
    assert (best.best_step, best.best_value) == (2, 5.0)


def test_a_run_scored_by_another_metric_keeps_no_best_of_the_old_one(digits_input, tmp_path):
    x = digits_input["x_train"]
    by_fid = BestCheckpoint(lambda g: 0.5, 2, tmp_path)
    trainer(digits_input, tmp_path, steps=2, callbacks=[by_fid]).fit(real(x))
    by_psnr = BestCheckpoint(lambda g: 0.1, 2, tmp_path, name="psnr", better="higher")
    trainer(digits_input, tmp_path, steps=4, callbacks=[by_psnr]).fit(real(x))  # resumed
    assert (by_psnr.best_step, by_psnr.best_value) == (4, 0.1)  # not FD's 0.5 read as a PSNR
    assert list(by_psnr.scores.columns) == ["step", "psnr"]


def test_train_run_scores_with_the_primary_metric(digits_input, digits_extractor, tmp_path):
    classifier, reference = digits_extractor
    score = primary_score(classifier, reference, samples=64)
    result = train_run(
        digits_input,
        "dcgan",
        TINY_MODELS["dcgan"],
        TINY_TRAIN,
        tmp_path / "c",
        tmp_path / "r",
        score=score,
    )
    assert list(result.scores["step"]) == [3, 6]
    assert result.summary["best_step"] in (3, 6)
    assert result.summary["best_fid"] == pytest.approx(result.scores["fid"].min())
    assert (tmp_path / "c" / "best.npz").is_file()


def test_a_generator_is_evaluated_and_registered_only_on_its_own_data(digits_input):
    summary = {"variant": "gan", "dataset": "ring8", "data_hash": "abc"}
    with pytest.raises(
        DataError, match=r"gan: its generator was trained on ring8 \(data hash abc\)"
    ):
        check_trained_on(summary, digits_input)
    check_trained_on(summary | {"data_hash": digits_input["meta"]["data_hash"]}, digits_input)
