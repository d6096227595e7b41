"""The MLflow model registry: log and register a generator, tag it, and promote it to
``champion`` only when it beats the current champion measured the same way."""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import keras
import mlflow
from filelock import FileLock
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from ganops.evaluation.evaluate import better
from ganops.serving.pyfunc import MODEL_CODE, input_example, signature
from ganops.tracking.descriptions import (
    NOTE_TAG,
    merged_note,
    model_description,
    version_description,
)
from ganops.tracking.guard import GUARD
from ganops.training.backend import PACKAGES

CHALLENGER, CHAMPION = "challenger", "champion"
METRIC_TAG = "metric."  # every evaluation metric, as a version tag
GATE_TAG, PASSED = "gate", "passed"  # on a version the champion gate promoted
SETTLE_ATTEMPTS = 20


def model_name(variant: str, dataset: str) -> str:
    return f"ganops-{variant}-{dataset}"


@dataclass
class Decision:
    """What the champion gate decided, and on which numbers."""

    name: str
    version: str
    promoted: bool
    reason: str
    metric: str
    challenger_value: float
    champion_version: str | None = None
    champion_value: float | None = None


def requirements() -> list[str]:
    """What the served model needs, pinned to this environment (no slow inference)."""
    from importlib.metadata import version

    packages = ["ganops", "mlflow", "keras", "numpy", "pandas"]
    packages += PACKAGES.get(keras.backend.backend(), [])
    return [f"{package}=={version(package)}" for package in packages]


def log_generator(generator: keras.Model, name: str, tags: dict[str, str] | None = None) -> str:
    """Log the generator as a pyfunc (signature, input example) and register it with its
    ``tags``; its version.

    The model is logged as code (``MODEL_CODE``), the generator as its ``generator`` artifact:
    loading a version runs the package's own code, never a pickle. The version is created
    with its tags in one registry write, so no crash leaves a version without them."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generator.keras"
        generator.save(path)
        info = mlflow.pyfunc.log_model(
            name="generator",
            python_model=str(MODEL_CODE),
            artifacts={"generator": str(path)},
            signature=signature(generator),
            input_example=input_example(generator),
            pip_requirements=requirements(),
        )
    return str(mlflow.register_model(info.model_uri, name, tags=tags).version)


def aliased(client: MlflowClient, name: str, alias: str):
    """The version holding ``alias``, or None."""
    try:
        return client.get_model_version_by_alias(name, alias)
    except MlflowException:
        return None


def champion(client: MlflowClient, name: str):
    """The version holding the ``champion`` alias, or None."""
    return aliased(client, name, CHAMPION)


def champion_metrics(name: str) -> tuple[str, dict[str, float]] | None:
    """The champion of ``name``: its version and the metrics registered with it (a version
    registered before they were: its primary metric); None when there is no champion (or
    the tracking server stopped answering during the run)."""
    if not GUARD.tracking("the report's champion"):
        return None
    current = champion(MlflowClient(), name)
    if current is None:
        return None
    tags = current.tags
    found = {
        k.removeprefix(METRIC_TAG): float(v) for k, v in tags.items() if k.startswith(METRIC_TAG)
    }
    if not found and "primary_metric" in tags:
        found = {tags["primary_metric"]: float(tags["primary_value"])}
    return str(current.version), found


def comparable(version: Any, metrics: dict[str, Any]) -> bool:
    """Whether a version's recorded metric was measured like ``metrics`` (same extractor,
    same sample count, same metric)."""
    tags = version.tags
    return (
        tags.get("feature_extractor") == metrics["feature_extractor"]
        and tags.get("samples") == str(metrics["samples"])
        and tags.get("primary_metric") == metrics["primary"]["name"]
    )


def gate(
    client: MlflowClient,
    name: str,
    version: str,
    metrics: dict[str, Any],
    remeasure: Callable[[str], float | None] | None,
) -> Decision:
    """Promote ``version`` if there is no champion or it beats the champion's number measured
    the same way (re-measured with ``remeasure(model_uri)`` when recorded differently; None
    from it: the champion cannot be measured this way). A version whose number is NaN or
    infinite is never promoted; a champion whose number is loses to any finite one."""
    primary = metrics["primary"]
    decision = Decision(name, version, False, "", primary["name"], float(primary["value"]))
    if not math.isfinite(decision.challenger_value):
        value = decision.challenger_value
        decision.reason = f"its {primary['name']} is {value}, not a finite number"
        return decision
    current = champion(client, name)
    if current is None:
        decision.promoted, decision.reason = True, "first version: no champion yet"
        return decision
    decision.champion_version = str(current.version)
    if comparable(current, metrics):
        decision.champion_value = float(current.tags["primary_value"])
    elif remeasure is None:
        decision.reason = "champion was measured differently and cannot be re-measured"
        return decision
    elif (value := remeasure(f"models:/{name}/{current.version}")) is None:
        decision.reason = (
            "champion takes or makes arrays of other shapes, so it cannot be measured like "
            "this version; move the champion alias by hand (MLflow UI) to serve this one"
        )
        return decision
    else:
        decision.champion_value = float(value)
    decision.promoted = better(
        decision.challenger_value, decision.champion_value, primary["better"]
    )
    decision.reason = "beats the champion" if decision.promoted else "does not beat the champion"
    return decision


def passed_since(client: MlflowClient, name: str, baseline: int, metrics: dict[str, Any]):
    """``{version: primary value}`` of the versions after version ``baseline`` that passed
    the gate, measured like ``metrics``."""
    return {
        str(v.version): float(v.tags["primary_value"])
        for v in client.search_model_versions(f"name='{name}'")
        if int(v.version) > baseline and v.tags.get(GATE_TAG) == PASSED and comparable(v, metrics)
    }


def settle(client: MlflowClient, name: str, metrics: dict[str, Any], decision: Decision) -> None:
    """Give ``champion`` to the best of the current champion and the versions that passed
    the gate since the champion ``decision`` was taken against; ``decision`` says who won.

    Registrations from other machines share no lock: two can read the same champion, both
    pass, and the slower alias write wins. So each one that passed writes the best it reads,
    then reads again, until a read after its last write shows the best holding the alias:
    the last write of all is then checked by a read that saw every version that matters
    (a version registered later is checked by its own registration)."""
    direction = metrics["primary"]["better"]
    baseline = int(decision.champion_version or 0)
    measured = {decision.champion_version: decision.champion_value}  # re-measured by the gate
    for _ in range(SETTLE_ATTEMPTS):
        values, current = passed_since(client, name, baseline, metrics), champion(client, name)
        held = None if current is None else str(current.version)
        if current is not None:
            value = (
                float(current.tags["primary_value"])
                if comparable(current, metrics)
                else measured.get(held)
            )
            if value is None:  # measured differently by another registration: leave it
                break
            values = {held: value, **values}
        best = next(iter(values))
        for version, value in values.items():
            if better(value, values[best], direction):
                best = version
        if best == held:
            break
        client.set_registered_model_alias(name, CHAMPION, best)
    if held != decision.version:
        decision.promoted = False
        decision.reason = (
            f"beaten by v{held}, registered meanwhile"
            if held in values
            else f"v{held}, measured differently, took the champion alias meanwhile"
        )
        decision.champion_version = held
        decision.champion_value = None if held is None else values.get(held)


def log_decision(decision: Decision, direction: str) -> None:
    """The gate's decision as tags and in the run's note (its description in the UI; one
    line per model), and both numbers as metrics, on the active MLflow run."""
    run = mlflow.active_run()
    note = run and mlflow.get_run(run.info.run_id).data.tags.get(NOTE_TAG)
    mlflow.set_tags(
        {f"registry.{k}": str(v) for k, v in asdict(decision).items()}
        | {NOTE_TAG: merged_note(note, decision, direction)}
    )
    mlflow.log_metric(f"registry_challenger_{decision.metric}", decision.challenger_value)
    if decision.champion_value is not None:
        mlflow.log_metric(f"registry_champion_{decision.metric}", decision.champion_value)


def describe(
    client: MlflowClient, decision: Decision, metrics: dict[str, Any], tags: dict[str, str]
) -> None:
    """The descriptions the MLflow UI shows: the model's (what it is, how to load it) and,
    once the gate and ``settle`` have decided, the new version's (trained on what, scored
    how, champion or not and why)."""
    name, variant, dataset = decision.name, metrics["variant"], metrics["dataset"]
    client.update_registered_model(name, model_description(name, variant, dataset, metrics))
    description = version_description(tags, metrics, decision)
    client.update_model_version(name, decision.version, description)


def lock_path(name: str) -> Path:
    """A lock file shared by every process of this user on this machine that registers
    ``name``: in the user's cache folder (``$XDG_CACHE_HOME``, else ``~/.cache``), private to
    them, not under a predictable name in the shared temporary folder."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = cache / "ganops" / "locks"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder / f"{name}.registry.lock"


#: Tags that make two registrations the same generator: the same data and parameters
#: (``params_hash``: the run's fingerprint), trained as long, its best step picked by the same
#: metric (the fingerprint leaves out what a run may change and resume: ``steps``...).
SAME_RUN = ("params_hash", "steps", "best_step", "primary_metric")


def registered_from(client: MlflowClient, name: str, tags: dict[str, str]):
    """``(alias, version)``: the champion, else the challenger, registered from the same run
    as ``tags`` say (``SAME_RUN``); None if neither was (or there is no ``params_hash``)."""
    for alias in (CHAMPION, CHALLENGER):
        version = aliased(client, name, alias)
        if (
            tags.get("params_hash")
            and version is not None
            and all(version.tags.get(key) == tags.get(key) for key in SAME_RUN)
        ):
            return alias, version
    return None


def register(
    generator: keras.Model,
    metrics: dict[str, Any],
    tags: dict[str, str],
    remeasure: Callable[[str], float | None] | None = None,
) -> Decision:
    """Log, register, tag and alias ``challenger``; promote to ``champion`` through the gate.

    Nothing is registered when the champion (or the last challenger) came from the same run
    (its ``SAME_RUN`` tags equal these): the retrain pipeline's quick exit.

    On one machine all of it runs under a file lock, so two registrations at once cannot
    register the same run twice; registrations from several machines to one tracking server
    (no common lock) still leave the better model holding the alias (``settle``).
    The model and the new version get their descriptions (``describe``); the decision and
    both numbers are logged to the active MLflow run.
    """
    client = MlflowClient()
    name = model_name(metrics["variant"], metrics["dataset"])
    primary = metrics["primary"]
    with FileLock(lock_path(name)):
        found = registered_from(client, name, tags | {"primary_metric": primary["name"]})
        if found is not None:
            (alias, same), current = found, champion(client, name)
            decision = Decision(
                name=name,
                version=str(same.version),
                promoted=False,
                reason=f"unchanged: {alias} v{same.version} was trained from the same data "
                "and parameters, as long, and kept the same step",
                metric=primary["name"],
                challenger_value=float(primary["value"]),
                champion_version=None if current is None else str(current.version),
                champion_value=None if current is None else float(current.tags["primary_value"]),
            )
        else:
            version_tags = {
                **tags,
                "primary_metric": primary["name"],
                "primary_value": repr(float(primary["value"])),
                "feature_extractor": metrics["feature_extractor"],
                "samples": str(metrics["samples"]),
                **{f"{METRIC_TAG}{k}": repr(float(v)) for k, v in metrics["metrics"].items()},
            }
            version = log_generator(generator, name, version_tags)
            client.set_registered_model_alias(name, CHALLENGER, version)
            decision = gate(client, name, version, metrics, remeasure)
            if decision.promoted:
                client.set_model_version_tag(name, version, GATE_TAG, PASSED)
                settle(client, name, metrics, decision)
            describe(client, decision, metrics, version_tags)
    log_decision(decision, primary["better"])
    return decision
