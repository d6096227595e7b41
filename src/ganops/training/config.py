"""Training knobs shared by every variant (the ``train:`` block of a parameters file)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, field_validator, model_validator

from ganops.config import validate
from ganops.data.sources import MixtureLayout
from ganops.training.monitor import MonitorConfig

#: Knobs that change how long or how verbosely a run goes, not what it computes: a checkpoint
#: written under other values of these can still be resumed.
RESUMABLE_KEYS = {
    "steps",
    "checkpoint_every",
    "keep_checkpoints",
    "sample_every",
    "log_every",
    "evaluate_every",
    "progress_bar",
    "monitor",
    "steps_per_call",
    "distribution",
}


class TrainConfig(BaseModel):
    """The loop, its schedule and its side outputs."""

    model_config = ConfigDict(extra="forbid")

    steps: PositiveInt = Field(2000, description="generator updates")
    batch_size: PositiveInt = 64
    d_steps: PositiveInt = Field(1, description="discriminator updates per generator update")
    seed: int = 0
    checkpoint_every: PositiveInt = 250
    keep_checkpoints: PositiveInt = 3
    sample_every: PositiveInt = 100
    sample_count: PositiveInt = Field(
        64, description="fixed latent vectors in the grid (2-D points: at least 1000 drawn)"
    )
    log_every: PositiveInt = Field(50, description="steps between MLflow metric batches")
    evaluate_every: PositiveInt = Field(
        250, description="steps between scorings of the generator (best checkpoint)"
    )
    evaluate_samples: PositiveInt = Field(2000, description="samples per scoring (FD)")
    jit_compile: bool = Field(False, description="XLA; measure first, it can be slower on CPU")
    single_pass: bool = Field(
        False,
        description="both players updated from one forward pass (the TensorFlow DCGAN "
        "tutorial's two tapes; d_steps 1): the generator's gradient sees the discriminator "
        "before its update",
    )
    mixed_precision: Literal[False, True, "bfloat16"] = Field(
        False,
        description="float16 compute with loss scaling (true) or bfloat16 compute (GPUs and "
        "TPUs that have it), float32 variables",
    )
    steps_per_call: PositiveInt = Field(
        1,
        description="steps per compiled call (one host round trip each): pays where a step "
        "is short (small models, a GPU); must divide the checkpoint, sample, evaluate and "
        "monitor intervals",
    )
    distribution: Literal["none", "mirrored", "multi_worker"] = Field(
        "none",
        description="data parallelism: one device, every device of this machine (its GPUs), "
        "or the machines of a cluster (TF_CONFIG); batch_size is the global batch",
    )
    progress_bar: bool = True
    monitor: MonitorConfig = Field(
        MonitorConfig(), description="failure-mode detectors, and whether they stop training"
    )

    @model_validator(mode="after")
    def _intervals_end_calls(self) -> TrainConfig:
        """Callbacks read the weights at their intervals: those must end a call."""
        intervals = {
            "checkpoint_every": self.checkpoint_every,
            "sample_every": self.sample_every,
            "evaluate_every": self.evaluate_every,
            "monitor.every": self.monitor.every,
        }
        uneven = [f"{k} ({v})" for k, v in intervals.items() if v % self.steps_per_call]
        if uneven:
            raise ValueError(
                f"steps_per_call {self.steps_per_call} must divide " + ", ".join(uneven)
            )
        return self

    def identity(self) -> dict:
        """The settings that define what a run computes (for resume fingerprints)."""
        return self.model_dump(exclude=RESUMABLE_KEYS)


class PointsConfig(BaseModel):
    """What every variant uses on 2-D points (``points:``, ``parameters_points.yml``): the
    settings for images (a 50-d latent, 1,200-unit layers, FD as the judge) do not suit them."""

    model_config = ConfigDict(extra="forbid")

    primary_metric: str = "mixture_fit"
    model: dict[str, Any] = {}  # for every variant named in ``models``
    train: dict[str, Any] = {}  # for every variant
    models: dict[str, dict[str, Any]] = {}  # per variant, over ``model``
    schedule_scale: dict[MixtureLayout, PositiveInt] = Field(
        {}, description="per mixture layout: the steps and every learning-rate decay times this"
    )

    @field_validator("models")
    @classmethod
    def known_variants(cls, models: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        from ganops.variants import VARIANTS  # here: the variants import the training code

        if unknown := sorted(set(models) - set(VARIANTS)):
            raise ValueError(f"unknown variant(s) {unknown}; known: {', '.join(sorted(VARIANTS))}")
        return models


def _scaled(
    model: dict[str, Any] | None, train: dict[str, Any] | None, factor: int
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The same run ``factor`` times as long: its steps and each optimizer's decay."""
    if factor == 1:
        return model, train
    if model is not None:
        model = {
            key: value | {"decay": [factor * update for update in value["decay"]]}
            if key.endswith("_optimizer") and value.get("decay")
            else value
            for key, value in model.items()
        }
    if train is not None:
        train = train | {"steps": factor * train.get("steps", TrainConfig().steps)}
    return model, train


def for_data(
    meta: dict[str, Any],
    variant: str,
    points: dict[str, Any],
    primary_metric: str,
    model: dict[str, Any] | None = None,
    train: dict[str, Any] | None = None,
) -> tuple[str, dict[str, Any] | None, dict[str, Any] | None]:
    """A variant's primary metric, ``model`` and ``train`` parameters for its data: on 2-D
    points, those of ``points`` win, the schedule scaled for the mixture's layout."""
    if meta.get("kind") != "points":
        return primary_metric, model, train
    config = validate(PointsConfig, points, "points")
    own = config.model | config.models[variant] if variant in config.models else {}
    model, train = _scaled(
        None if model is None else model | own,
        None if train is None else train | config.train,
        config.schedule_scale.get(meta.get("layout"), 1),
    )
    return config.primary_metric, model, train
