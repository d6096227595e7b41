"""What the MLflow UI shows in words: the registered model's description (what it is, how to
load it), each version's (what it was trained on, how it scored, why it became champion or
not) and the run's note. Markdown, which the UI renders; plain text in, text out."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ganops.evaluation.glossary import PREFIX, SUFFIX, describe

if TYPE_CHECKING:  # the registry imports this module
    from ganops.tracking.registry import Decision

NOTE_TAG = "mlflow.note.content"  # the run's description in the MLflow UI
SHOWN_METRICS = 4  # metrics shown beside the primary one


def number(value: Any) -> str:
    """A metric or count as a person reads it: 4 significant digits, thousands separated."""
    value = float(value)
    if value.is_integer() and abs(value) >= 1000:
        return f"{int(value):,}"
    return f"{value:.4g}"


def headline(docstring: str | None) -> str:
    """The first sentence of a docstring, on one line ("et al. 2016" does not end it)."""
    text = " ".join((docstring or "").split())
    found = re.match(r"(.+?\.)(?=\s+[A-Z]|$)", text)
    return found.group(1) if found else text


#: Each variant family (``ganops.variants.FAMILIES``) in a few words.
FAMILY_WORDS = {
    "unconditional": "GAN",
    "conditional": "conditional GAN",
    "paired_translation": "paired image translation",
    "unpaired_translation": "unpaired image translation",
    "likelihood": "likelihood baseline, not a GAN",
}


def family(variant: str) -> str:
    """The kind of model ``variant`` trains, in a few words."""
    from ganops import variants

    return FAMILY_WORDS[variants.family(variant)]


def load_commands(name: str, variant: str) -> list[str]:
    """How to use the champion of ``name``: the ``ganops`` command and Python."""
    from ganops.variants import TRANSLATION, UNPAIRED, get_variant
    from ganops.variants.conditional import ClassConditionalConfig

    uri = f"models:/{name}@champion"
    if variant in TRANSLATION:
        direction = " (add `--direction AtoB` or `BtoA` if it translates both ways)"
        return [
            f"`ganops translate --model {name} --input photo.png --output out.png`"
            + (direction if variant in UNPAIRED else ""),
            f'`ganops.serving.load_generator("{uri}").translate(images)`',
        ]
    config = get_variant(variant).Config
    conditions = (
        " (`--label 7`: one class)"
        if issubclass(config, ClassConditionalConfig)
        else " (`--code 3`: one code)"
        if variant == "infogan"
        else ""
    )
    return [
        f"`ganops generate --model {name} -n 64 --output samples.png`{conditions}",
        f'`ganops.serving.load_generator("{uri}").generate(16, seed=0)`',
    ]


def model_description(name: str, variant: str, dataset: str, metrics: dict[str, Any]) -> str:
    """The registered model's description: what it is, how its champion is chosen and loaded."""
    from ganops.variants import get_variant

    primary = metrics["primary"]
    lines = [
        f"**{variant}** on `{dataset}` ({family(variant)}): "
        f"{headline(get_variant(variant).__doc__)}",
        "",
        f"Registered by ganops (`kedro run`, node `{variant}.register`). Alias `champion`: the "
        f"best version so far on {primary['name']} ({primary['better']} is better); "
        "`challenger`: the latest. Each version's description says what it was trained on, "
        "how it scored and why it became champion or not.",
        "",
        "Load the champion:",
        "",
        *(f"- {command}" for command in load_commands(name, variant)),
    ]
    return "\n".join(lines)


def training_line(tags: dict[str, str], dataset: str) -> str:
    """What a version was trained on and with, from its tags."""
    parts = [f"Trained on `{dataset}`"]
    if tags.get("train_examples"):
        parts.append(f"{number(tags['train_examples'])} training examples")
    if tags.get("steps") not in (None, "None"):
        steps = f"{number(tags['steps'])} steps"
        if tags.get("best_step") not in (None, "None"):
            steps += f" (kept: step {number(tags['best_step'])})"
        parts.append(steps)
    where = " on ".join(tags[key] for key in ("backend", "device") if tags.get(key))
    if where:
        parts.append(where)
    line = ", ".join(parts)
    if tags.get("params_hash"):
        line += f"; params hash `{tags['params_hash']}`"
    if tags.get("data_hash"):
        line += f", data hash `{tags['data_hash']}`"
    return line + "."


def direction_words(better: str) -> str:
    return f"{better} is better"


def other_metrics(metrics: dict[str, float], primary: str) -> list[str]:
    """Up to ``SHOWN_METRICS`` headline metrics beside ``primary``: those with a direction,
    neither a baseline's nor one direction's or class's, as ``name value ↑``."""
    shown = []
    for name, value in metrics.items():
        arrow, _ = describe(name)
        if name == primary or not arrow or PREFIX.match(name) or SUFFIX.search(name):
            continue
        shown.append(f"{name} {number(value)} {arrow}")
    return shown[:SHOWN_METRICS]


def score_line(metrics: dict[str, Any]) -> str:
    """How a version scored: the primary metric with its direction, then the main others."""
    primary = metrics["primary"]
    line = (
        f"**{primary['name']} {number(primary['value'])}** ({direction_words(primary['better'])})"
    )
    others = other_metrics(metrics["metrics"], primary["name"])
    if others:
        line += " · " + " · ".join(others)
    measured = [f"{number(metrics['samples'])} samples"] if "samples" in metrics else []
    if metrics.get("feature_extractor"):
        measured.append(f"features of `{metrics['feature_extractor']}`")
    return line + (f" ({', '.join(measured)})" if measured else "") + "."


def comparison(decision: Decision, better: str) -> str:
    """The numbers the gate compared, when it compared any."""
    if decision.champion_value is None:
        return f" (champion: v{decision.champion_version})" if decision.champion_version else ""
    return (
        f": {decision.metric} {number(decision.challenger_value)} against "
        f"v{decision.champion_version}'s {number(decision.champion_value)} "
        f"({direction_words(better)})"
    )


def verdict(decision: Decision, better: str) -> str:
    """Why the version became champion or not: the decision's reason and its numbers."""
    outcome = "Champion" if decision.promoted else "Not champion"
    return f"**{outcome}**: {decision.reason}{comparison(decision, better)}."


def version_description(tags: dict[str, str], metrics: dict[str, Any], decision: Decision) -> str:
    """A version's description: trained on what, scored how, champion or not and why."""
    better = metrics["primary"]["better"]
    lines = (
        training_line(tags, metrics["dataset"]),
        score_line(metrics),
        verdict(decision, better),
    )
    return "\n\n".join(lines)


def note_line(decision: Decision, better: str) -> str:
    """One line for the run's note about ``decision``."""
    if decision.reason.startswith("unchanged"):
        return f"`{decision.name}`: nothing registered, {decision.reason}."
    head = f"`{decision.name}` v{decision.version}"
    outcome = "champion" if decision.promoted else "not champion"
    numbers = comparison(decision, better) if decision.champion_value is not None else ""
    score = "" if numbers else f" ({decision.metric} {number(decision.challenger_value)})"
    return f"{head} registered, {outcome}: {decision.reason}{numbers}{score}."


def merged_note(note: str | None, decision: Decision, better: str) -> str:
    """``note`` with ``decision``'s line replacing that model's earlier line (a run that
    registers several variants keeps one line each)."""
    prefix = f"`{decision.name}` "
    kept = [line for line in (note or "").split("\n\n") if line and not line.startswith(prefix)]
    return "\n\n".join([*kept, note_line(decision, better)])
