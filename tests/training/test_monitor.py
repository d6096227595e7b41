import logging
from types import SimpleNamespace

import keras
import numpy as np
import pandas as pd
import pytest

from ganops.evaluation.evaluate import on_data_share
from ganops.training import checkpoint
from ganops.training.callbacks import Callback
from ganops.training.config import TrainConfig
from ganops.training.monitor import (
    FailureMonitor,
    MonitorConfig,
    discriminator_wins,
    diversity,
    diversity_collapsed,
    losses_diverging,
)
from ganops.training.run import train_run
from ganops.training.trainer import Trainer
from ganops.variants import build_variant
from ganops.variants.base import DataSpec
from tiny import TINY_MODELS, TINY_TRAIN

CONFIG = MonitorConfig(window=100)


def healthy(n=300, seed=0):
    """Oscillating losses of a balanced game: D near log(4), G near log(2)."""
    rng = np.random.default_rng(seed)
    wave = 0.1 * np.sin(np.arange(n) / 7)
    return 1.3 + wave + 0.1 * rng.standard_normal(n), 0.7 - wave + 0.1 * rng.standard_normal(n)


def d_wins(n=300):
    """D's loss decays to ~0 while G's climbs steadily."""
    t = np.arange(n)
    return 0.7 * np.exp(-t / 10) + 1e-3, 0.7 + 0.02 * t


def test_discriminator_wins_fires_when_d_pins_to_zero_and_g_climbs():
    d, g = d_wins()
    message = discriminator_wins(d, g, CONFIG)
    assert message and "discriminator wins" in message and "100 steps" in message
    assert discriminator_wins(d[:99], g[:99], CONFIG) is None  # needs a full window


def test_discriminator_wins_needs_both_signatures():
    d, g = d_wins()
    assert discriminator_wins(*healthy(), CONFIG) is None
    assert discriminator_wins(d, np.full_like(g, 5.0), CONFIG) is None  # G high but flat
    assert discriminator_wins(np.full_like(d, 0.5), g, CONFIG) is None  # D not winning


def test_losses_diverging_fires_on_exploding_losses_only():
    d, g = healthy()
    assert losses_diverging({"d_loss": d, "g_loss": g}, CONFIG) is None
    steps = np.arange(1, 301)
    exploding = pd.DataFrame({"step": steps * 100, "d_loss": d, "g_loss": np.exp(steps / 20)})
    message = losses_diverging(exploding, CONFIG)
    assert message and "g_loss" in message and "d_loss" not in message
    assert "step (" not in message  # the step column is not a loss
    assert losses_diverging({"g_loss": -1e4 * np.ones(50)}, CONFIG) is None  # short window
    assert losses_diverging({"c_loss": -1e4 * np.ones(100)}, CONFIG)  # absolute value


def test_diversity_of_identical_and_gaussian_samples():
    assert diversity(np.ones((50, 4, 4, 1))) == 0.0
    assert diversity(np.ones((1, 2))) == 0.0
    points = np.random.default_rng(0).standard_normal((400, 2))
    # |x - y| for x, y ~ N(0, I_2) is Rayleigh with sigma sqrt(2): mean sqrt(pi) ~ 1.77
    assert 1.6 < diversity(points) < 1.95
    assert diversity(np.concatenate([points, 100 + points]), limit=400) == diversity(points)


def test_diversity_collapsed_compares_with_the_real_data():
    assert diversity_collapsed(0.1, 1.0, CONFIG).startswith("sample diversity collapsed")
    assert diversity_collapsed(0.5, 1.0, CONFIG) is None
    assert diversity_collapsed(0.0, 0.0, CONFIG) is None


def fake_trainer():
    return SimpleNamespace(gan=SimpleNamespace(generator=None), stop_reason=None)


def test_monitor_reports_each_failure_once_and_resets_on_start(caplog):
    config = MonitorConfig(
        window=20, g_loss_rise=0.1, every=5, warmup=0, diversity_ratio=0.5, stop_early=True
    )
    real = np.random.default_rng(0).standard_normal((300, 2))
    calls = []

    def sample(generator, n, seed):
        calls.append((n, seed))
        return np.zeros((n, 2))  # fully collapsed

    monitor = FailureMonitor(config, real, sample=sample)
    trainer = fake_trainer()
    monitor.on_start(trainer, 0)
    d, g = d_wins(60)
    with caplog.at_level(logging.WARNING):
        for step in range(1, 61):
            monitor.on_step(trainer, step, {"d_loss": d[step - 1], "g_loss": g[step - 1]})
    assert set(monitor.failures) == {"diversity_collapsed", "discriminator_wins"}
    assert monitor.failures["diversity_collapsed"]["step"] == 5
    assert monitor.failures["discriminator_wins"]["step"] >= 20
    assert calls == [(256, 0)]  # once reported, not drawn again
    assert len(caplog.records) == 2 and "failure mode diversity_collapsed" in caplog.text
    assert trainer.stop_reason.startswith("diversity_collapsed at step 5: ")  # the first one
    monitor.on_start(trainer, 60)
    assert monitor.failures == {} and monitor.losses == {}


def test_a_cloud_off_a_mixture_is_reported_as_off_the_data(ring_input):
    """The README's old example: samples spread around the ring, not on it."""
    meta = ring_input["meta"]
    spread = np.random.default_rng(0).normal(0.0, 1.5, size=(256, 2))
    monitor = FailureMonitor(
        MonitorConfig(every=5, warmup=0),
        ring_input["x_train"],
        sample=lambda generator, n, seed: spread[:n],
        on_data=on_data_share(meta),
    )
    trainer = fake_trainer()
    monitor.on_start(trainer, 0)
    monitor.on_step(trainer, 5, {})
    message = monitor.failures["samples_off_data"]["message"]
    assert message.startswith("samples off the data: ") and "of a mode" in message
    assert on_data_share(meta)(ring_input["x_train"][:500]) > 0.95
    assert on_data_share({"kind": "images"}) is None


def test_objectives_it_cannot_fire_on_skip_the_discriminator_check():
    config = MonitorConfig(window=20, g_loss_rise=0.1)
    monitor = FailureMonitor(config, np.eye(3), watch_d_wins=False)
    trainer = fake_trainer()
    monitor.on_start(trainer, 0)
    d, g = d_wins(60)
    for step in range(1, 61):
        monitor.on_step(trainer, step, {"d_loss": d[step - 1], "g_loss": g[step - 1]})
    assert monitor.failures == {} and trainer.stop_reason is None  # no stop without the option


class StopAt(Callback):
    """Asks the trainer to stop at ``step``; remembers the step ``on_end`` saw."""

    def __init__(self, step):
        self.step, self.ended = step, None

    def on_step(self, trainer, step, logs):
        if step == self.step:
            trainer.stop_reason = "enough"

    def on_end(self, trainer, step):
        self.ended = step


def points_trainer(data, folder, steps, callbacks=()):
    keras.utils.set_random_seed(0)
    gan = build_variant("gan", TINY_MODELS["gan"], DataSpec.from_meta(data["meta"]))
    config = TrainConfig(**{**TINY_TRAIN, "steps": steps})
    return Trainer(gan, config, folder, "run", list(callbacks))


def test_trainer_honours_stop_reason_and_stays_resumable(ring_input, tmp_path, caplog):
    x, stopper = {"real": {"x": ring_input["x_train"]}}, StopAt(2)
    t = points_trainer(ring_input, tmp_path, steps=6, callbacks=[stopper])
    with caplog.at_level(logging.WARNING):
        history = t.fit(x)
    assert list(history["step"]) == [1, 2] and stopper.ended == 2
    assert "stopping early at step 2" in caplog.text and "enough" in caplog.text
    assert checkpoint.latest(tmp_path).step == 2  # not a checkpoint_every step: saved anyway
    resumed = points_trainer(ring_input, tmp_path, steps=6).fit(x)
    assert list(resumed["step"]) == [1, 2, 3, 4, 5, 6]


def test_monitor_stops_a_real_run_early(inputs, tmp_path):
    data = inputs["points"]
    config = MonitorConfig(diversity_ratio=1.1, every=2, warmup=0, samples=64, stop_early=True)
    monitor = FailureMonitor(config, data["x_train"])  # any generator counts as collapsed
    result = train_run(
        data,
        "gan",
        TINY_MODELS["gan"],
        TINY_TRAIN,
        tmp_path / "ckpt",
        tmp_path / "reports",
        callbacks=[monitor],
    )
    assert result.summary["steps"] == 2 < TINY_TRAIN["steps"]
    assert list(result.losses["step"]) == [1, 2]
    assert (tmp_path / "ckpt" / "ckpt-00000002.npz").is_file()
    assert monitor.failures["diversity_collapsed"]["step"] == 2
    assert "of the real data's" in monitor.failures["diversity_collapsed"]["message"]
    assert (tmp_path / "reports" / "samples.png").is_file()  # on_end still ran


@pytest.mark.parametrize("key", ["window", "every", "samples"])
def test_monitor_config_rejects_non_positive_counts(key):
    with pytest.raises(ValueError, match=key):
        MonitorConfig(**{key: 0})
    with pytest.raises(ValueError, match="extra"):
        MonitorConfig(windows=3)
