"""Training knobs shared by every variant (the ``train:`` block of a parameters file)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, PositiveInt

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
    mixed_precision: bool = Field(False, description="float16 compute (GPU)")
    progress_bar: bool = True
    monitor: MonitorConfig = Field(
        MonitorConfig(), description="failure-mode detectors, and whether they stop training"
    )

    def identity(self) -> dict:
        """The settings that define what a run computes (for resume fingerprints)."""
        return self.model_dump(exclude=RESUMABLE_KEYS)
