"""Failure-mode detection during training: the signatures *The GAN Book* describes.

The discriminator wins (its loss pinned near 0 while the generator's climbs), sample
diversity collapses (mode collapse), losses diverge, translations stay their inputs (the
identity collapse of unpaired translation). Detectors are pure functions returning
a one-sentence message or None; :class:`FailureMonitor` runs them around the loop.
"""

from __future__ import annotations

import functools
import json
import logging
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, PositiveInt
from scipy.spatial.distance import pdist

from ganops.sampling import generate
from ganops.storage import atomic_write
from ganops.training.callbacks import Callback

log = logging.getLogger(__name__)
DIVERSITY_LIMIT = 500  # samples in a diversity estimate: pdist is quadratic


#: Steps between the loss detectors (their windows move little in a step; the NaN guard is
#: the Trainer's, every step).
LOSS_CHECK_EVERY = 10


class MonitorConfig(BaseModel):
    """Thresholds of the failure detectors, and whether a detected failure stops training."""

    model_config = ConfigDict(extra="forbid")

    window: PositiveInt = Field(100, description="steps of the rolling loss window")
    d_loss_floor: float = Field(
        0.05, description="the discriminator wins when its rolling mean loss is below this"
    )
    g_loss_rise: float = Field(
        0.5, description="... while the generator loss rose this much (window halves' means)"
    )
    diversity_ratio: float = Field(
        0.3, description="samples' diversity below this fraction of the real data's: collapse"
    )
    divergence: float = Field(
        1e3, description="a loss whose rolling mean absolute value exceeds this diverges"
    )
    coverage: float = Field(
        0.4, description="samples covering less than this share of the modes: mode collapse"
    )
    on_data: float = Field(
        0.5,
        description="2-D mixtures: fewer samples than this share within 3 standard deviations "
        "of a mode: the samples are not on the data (a diffuse cloud)",
    )
    warmup: int = Field(
        1250,
        ge=0,
        description="steps before sample checks: generators start near-constant, and a slow "
        "healthy GAN (the book's, on digits) covers 4-5 of 10 classes at step 1,000",
    )
    identity_ratio: float = Field(
        0.05,
        description="translations that move their inputs less than this share of the distance "
        "between the domains: the identity collapse (unpaired translation)",
    )
    every: PositiveInt = Field(250, description="steps between sample checks")
    samples: PositiveInt = Field(256, description="samples per diversity estimate")
    stop_early: bool = Field(False, description="stop training at the first failure")


def discriminator_wins(d_loss: np.ndarray, g_loss: np.ndarray, config: MonitorConfig) -> str | None:
    """The discriminator's rolling mean loss under the floor while the generator's climbs
    (second half of the window above the first by ``g_loss_rise``); needs a full window."""
    n = config.window
    if len(d_loss) < n or len(g_loss) < n:
        return None
    d, g = np.asarray(d_loss[-n:], float), np.asarray(g_loss[-n:], float)
    d_mean, before, after = d.mean(), g[: n // 2].mean(), g[n // 2 :].mean()
    if d_mean < config.d_loss_floor and after - before >= config.g_loss_rise:
        return (
            f"the discriminator wins: its loss averages {d_mean:.3g} over the last {n} steps "
            f"(floor {config.d_loss_floor:g}) while the generator's rose from {before:.3g} "
            f"to {after:.3g}"
        )
    return None


def losses_diverging(
    history: Mapping[str, np.ndarray] | pd.DataFrame, config: MonitorConfig
) -> str | None:
    """Loss columns (``step`` aside) whose mean absolute value over the last full window
    exceeds ``divergence``."""
    n = config.window
    levels = {
        name: float(np.abs(np.asarray(values, float)[-n:]).mean())
        for name, values in dict(history).items()
        if name != "step" and len(values) >= n
    }
    bad = {name: level for name, level in levels.items() if level > config.divergence}
    if not bad:
        return None
    named = ", ".join(f"{name} ({level:.3g})" for name, level in sorted(bad.items()))
    return (
        f"losses diverging: mean absolute value over the last {n} steps above "
        f"{config.divergence:g} for {named}"
    )


def diversity(samples: np.ndarray, limit: int = DIVERSITY_LIMIT) -> float:
    """Mean pairwise Euclidean distance between (at most ``limit``, flattened) samples."""
    flat = np.asarray(samples[:limit], float).reshape(min(len(samples), limit), -1)
    return float(pdist(flat).mean()) if len(flat) > 1 else 0.0


def coverage_collapsed(share: float, config: MonitorConfig) -> str | None:
    """Samples cover less than ``coverage`` of the modes (mixture modes, or classes)."""
    if share < config.coverage:
        return (
            f"mode collapse: samples cover {share:.0%} of the modes "
            f"(threshold {config.coverage:.0%})"
        )
    return None


def off_data(share: float, config: MonitorConfig) -> str | None:
    """Fewer than ``on_data`` of the samples lie on the data (2-D mixtures)."""
    if share < config.on_data:
        return (
            f"samples off the data: {share:.1%} lie within 3 standard deviations of a mode "
            f"(threshold {config.on_data:.0%})"
        )
    return None


def diversity_collapsed(
    fake_diversity: float, real_diversity: float, config: MonitorConfig
) -> str | None:
    """Samples' diversity below ``diversity_ratio`` of the real data's: mode collapse."""
    if real_diversity <= 0:
        return None
    ratio = fake_diversity / real_diversity
    if ratio < config.diversity_ratio:
        return (
            f"sample diversity collapsed: mean pairwise distance {fake_diversity:.3g} is "
            f"{ratio:.2f} of the real data's {real_diversity:.3g} "
            f"(threshold {config.diversity_ratio:g})"
        )
    return None


def identity_collapsed(ratio: float, config: MonitorConfig) -> str | None:
    """Translations (nearly) equal to their inputs: the generators learned the identity, which
    the cycle and identity losses reward (CycleGAN, CartoonGAN)."""
    if ratio < config.identity_ratio:
        return (
            f"identity collapse: translations differ from their inputs by {ratio:.1%} of the "
            f"distance between the domains (< {config.identity_ratio:.0%}); lower the identity "
            "or cycle weight, or the content weight"
        )
    return None


class FailureMonitor(Callback):
    """Watches losses every step, and samples every ``every`` steps after ``warmup``.

    Each failure kind (a detector's name) is reported once, at the first step it fires: a
    warning in the log and an entry ``failures[kind] = {"step": ..., "message": ...}``. With
    ``stop_early`` the first failure sets ``trainer.stop_reason``. ``coverage`` gives the
    share of modes samples cover, when the data has modes (``evaluate.mode_coverage``).
    ``watch_d_wins=False`` skips :func:`discriminator_wins` where its rule cannot fire (see
    ``Trainable.watch_d_wins``). With ``folder`` (the checkpoint folder) the failures are kept
    in ``failures.json`` there, so a resumed run still reports them. ``moved`` (unpaired
    translation) gives how far a generator's translations move from their inputs, as a share
    of the distance between the domains (the identity collapse). ``on_data`` (2-D mixtures)
    gives the share of samples on the data (``evaluate.on_data_share``).
    """

    def __init__(
        self,
        config: MonitorConfig,
        real: np.ndarray,
        coverage: Callable[[np.ndarray], float] | None = None,
        watch_d_wins: bool = True,
        sample: Callable[[Any, int, int], np.ndarray] = generate,
        seed: int = 0,
        folder: Path | None = None,
        moved: Callable[[Any], float] | None = None,
        on_data: Callable[[np.ndarray], float] | None = None,
    ):
        self.config, self.coverage, self.watch_d_wins = config, coverage, watch_d_wins
        self.moved, self.on_data = moved, on_data
        self.sample, self.seed = sample, seed
        self.path = Path(folder) / "failures.json" if folder is not None else None
        rng = np.random.default_rng(seed)
        picked = rng.choice(len(real), min(len(real), config.samples), replace=False)
        self.real_diversity = diversity(real[np.sort(picked)])
        self.losses: dict[str, deque[float]] = {}
        self.failures: dict[str, dict[str, Any]] = {}

    def on_start(self, trainer: Any, step: int) -> None:
        """Fresh loss windows; the failures this run already saw up to ``step`` are kept."""
        self.losses, self.failures = {}, {}
        if self.path is not None and self.path.is_file():
            seen = json.loads(self.path.read_text())
            self.failures = {k: f for k, f in seen.items() if f["step"] <= step}

    def on_step(self, trainer: Any, step: int, logs: dict[str, float]) -> None:
        for name, value in logs.items():
            self.losses.setdefault(name, deque(maxlen=self.config.window)).append(float(value))
        for kind, check in self.checks(trainer, step).items():
            if kind not in self.failures and (message := check()):
                self.report(trainer, step, kind, message)

    def checks(self, trainer: Any, step: int) -> dict[str, Callable[[], str | None]]:
        """The detectors due at ``step``, by failure kind."""
        cfg, losses, due = self.config, self.losses, {}
        if step % LOSS_CHECK_EVERY == 0:
            due["losses_diverging"] = lambda: losses_diverging(losses, cfg)
            if self.watch_d_wins and {"d_loss", "g_loss"} <= losses.keys():
                due["discriminator_wins"] = lambda: discriminator_wins(
                    np.asarray(losses["d_loss"]), np.asarray(losses["g_loss"]), cfg
                )
        if step >= cfg.warmup and step % cfg.every == 0:
            # drawn once, and only while a sample check is still unreported
            samples = functools.cache(
                lambda: self.sample(trainer.gan.generator, cfg.samples, self.seed)
            )
            due["diversity_collapsed"] = lambda: diversity_collapsed(
                diversity(samples()), self.real_diversity, cfg
            )
            if self.coverage is not None:
                due["mode_coverage_collapsed"] = lambda: coverage_collapsed(
                    self.coverage(samples()), cfg
                )
            if self.on_data is not None:
                due["samples_off_data"] = lambda: off_data(self.on_data(samples()), cfg)
            if self.moved is not None:
                due["identity_collapse"] = lambda: identity_collapsed(
                    self.moved(trainer.gan.generator), cfg
                )
        return due

    def report(self, trainer: Any, step: int, kind: str, message: str) -> None:
        log.warning("failure mode %s at step %d: %s", kind, step, message)
        self.failures[kind] = {"step": step, "message": message}
        if self.path is not None:
            text = json.dumps(self.failures, indent=2)
            atomic_write(self.path, lambda tmp: tmp.write_text(text))
        if self.config.stop_early and trainer.stop_reason is None:
            trainer.stop_reason = f"{kind} at step {step}: {message}"
