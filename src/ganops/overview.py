"""What ``ganops models``, ``ganops variants`` and ``ganops datasets`` print: aligned plain-text
tables of the MLflow registry, the variant registry and the project's datasets.

The registry is read from the tracking store; the variants from ``ganops.variants``; their
default datasets and the datasets from the project's configuration as ``kedro run`` reads it
(``conf/base`` under ``conf/local``, found from the working folder up) and ``dvc.yaml``'s
``translation`` mapping (which dataset each translation variant is reproduced on).
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
from datetime import datetime
from pathlib import Path
from typing import Any

from ganops.errors import ConfigError, GanopsError

NARROWEST = 40  # characters left to the last column, however narrow the terminal
#: Where the preprocessed dataset lies (catalog.yml's ``model_input``).
MODEL_INPUT = "data/05_model_input/{name}.npz"
MISSING = "-"
CHAMPION = "champion"  # tracking.registry's alias (that module loads Keras: not imported here)


def aligned(header: list[str], rows: list[list[str]]) -> str:
    """``rows`` under ``header`` in columns two spaces apart, each as wide as its widest cell."""
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in (header, *rows)
    )


def columns() -> int | None:
    """The width to fit: ``COLUMNS``, else the terminal's; None when the output goes to a
    file or a pipe (nothing is clipped there)."""
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return None


def clipped(text: str, width: int | None) -> str:
    """``text`` on one line, cut at a word boundary to ``width`` characters (``…`` marks it;
    None: whole)."""
    text = " ".join(text.split())
    if width is None:
        return text
    return textwrap.shorten(text, max(width, NARROWEST), placeholder=" …")


def fitted(header: list[str], rows: list[list[str]]) -> str:
    """``aligned``, the last column clipped to what the terminal leaves it."""
    used = sum(max(len(row[i]) for row in (header, *rows)) + 2 for i in range(len(header) - 1))
    width = columns()
    left = None if width is None else width - used
    return aligned(header, [[*row[:-1], clipped(row[-1], left)] for row in rows])


def note(text: str) -> str:
    """A note under a table, wrapped to the terminal (to 100 characters off one)."""
    return textwrap.fill(text, max(columns() or 100, NARROWEST))


# --------------------------------------------------------------------------------------------
# The project
# --------------------------------------------------------------------------------------------


def project_root(start: Path | None = None) -> Path:
    """The ganops project holding ``start`` (default: the working folder): the first folder,
    from ``start`` up, with a ``pyproject.toml`` and ``conf/base/``."""
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "conf" / "base").is_dir():
            return folder
    raise GanopsError(
        f"not in a ganops project: no folder with pyproject.toml and conf/base/ at or above "
        f"{start}; run this from the project folder"
    )


def project_parameters(root: Path) -> dict[str, Any]:
    """The project's parameters as ``kedro run`` reads them (no ``--params``)."""
    from ganops.loader import LOADER_ARGS, ConfigLoader
    from ganops.quiet import hide_notes

    hide_notes()  # OmegaConf's notes about Kedro's resolvers
    loader = ConfigLoader(conf_source=str(root / "conf"), **LOADER_ARGS)
    return loader["parameters"]


def reproduced_on(root: Path) -> dict[str, str]:
    """``dvc.yaml``'s ``translation`` mapping: each translation variant's dataset."""
    import yaml

    file = root / "dvc.yaml"
    if not file.is_file():
        return {}
    for entry in (yaml.safe_load(file.read_text()) or {}).get("vars", []):
        if isinstance(entry, dict) and isinstance(entry.get("translation"), dict):
            return {str(k): str(v) for k, v in entry["translation"].items()}
    return {}


def leading_comment(file: Path) -> str:
    """The comment lines a YAML file starts with, as one text."""
    lines = []
    for line in file.read_text().splitlines() if file.is_file() else []:
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    return " ".join(lines)


# --------------------------------------------------------------------------------------------
# ganops models
# --------------------------------------------------------------------------------------------


def registered_models(client) -> list:
    """Every registered model, by name (all pages)."""
    models, token = [], None
    while True:
        page = client.search_registered_models(
            max_results=1000, order_by=["name ASC"], page_token=token
        )
        models += list(page)
        token = page.token
        if not token:
            return models


def trained_at(version) -> str:
    """When a version was registered (right after its training), local time."""
    stamp = datetime.fromtimestamp(version.creation_timestamp / 1000)
    return stamp.strftime("%Y-%m-%d %H:%M")


def primary_metric(version) -> str:
    """A version's primary metric as ``name value arrow`` (the registration's tags)."""
    from ganops.evaluation.glossary import describe
    from ganops.tracking.descriptions import number

    name, value = version.tags.get("primary_metric"), version.tags.get("primary_value")
    if not name or value is None:
        return MISSING
    arrow, _ = describe(name)
    return f"{name} {number(value)} {arrow}".rstrip()


def models_table(tracking_uri: str) -> str:
    """``ganops models``: each registered model, its versions, its champion (version, primary
    metric, when trained); one line when there is none."""
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    from ganops.tracking.server import shown_uri

    client = MlflowClient(tracking_uri)
    models = registered_models(client)
    if not models:
        return (
            f"no registered models in {shown_uri(tracking_uri)} (kedro run trains, evaluates "
            "and registers them)"
        )
    rows = []
    for model in models:
        count = len(client.search_model_versions(f"name='{model.name}'"))
        try:
            champion = client.get_model_version_by_alias(model.name, CHAMPION)
        except MlflowException:
            rows.append([model.name, str(count), "none", MISSING, MISSING])
            continue
        row = [model.name, str(count), f"v{champion.version}", primary_metric(champion)]
        rows.append([*row, trained_at(champion)])
    header = ["MODEL", "VERSIONS", "CHAMPION", "PRIMARY METRIC", "TRAINED"]
    return aligned(header, rows)


# --------------------------------------------------------------------------------------------
# ganops variants
# --------------------------------------------------------------------------------------------


def default_dataset(name: str, kinds: tuple[str, ...], base: str, translation: dict) -> str:
    """The dataset variant ``name`` trains on by default: its own (dvc.yaml's
    ``translation``; a dataset of its kind without one) or the project's ``dataset``."""
    from ganops.variants import HINTS, TRANSLATION

    if name in TRANSLATION:
        return translation.get(name) or HINTS.get(kinds[0], MISSING)
    return base


def variant_summary(name: str, module, root: Path | None) -> str:
    """The first sentence of the variant's docstring; of its parameters file's leading
    comment for an experiment that reuses another variant's module."""
    from ganops.tracking.descriptions import headline

    text = module.__doc__
    if module.__name__.rsplit(".", 1)[-1] != name and root is not None:
        text = leading_comment(root / "conf" / "base" / f"parameters_{name}.yml") or text
    return headline(text)


def variants_table(root: Path | None) -> str:
    """``ganops variants``: each variant's family, the data it takes, its default dataset and
    what it is (default datasets need the project: ``root``)."""
    from ganops.variants import VARIANTS, family

    base, translation = None, {}
    if root is not None:
        base, translation = project_parameters(root).get("dataset"), reproduced_on(root)
    rows = []
    for name, module in VARIANTS.items():
        kinds = tuple(module.DATA_KINDS)
        dataset = default_dataset(name, kinds, base or MISSING, translation) if root else MISSING
        summary = variant_summary(name, module, root)
        rows.append([name, family(name), ", ".join(kinds), dataset, summary])
    table = fitted(["VARIANT", "FAMILY", "DATA", "DATASET", "SUMMARY"], rows)
    if root is None:
        return f"{table}\n\n" + note("DATASET: run this from the project folder to see them")
    return f"{table}\n\n" + note(
        f"DATASET: what the variant trains on by default: the project's dataset ({base}), or "
        "a translation variant's own (dvc.yaml: kedro run --pipelines <variant> --params "
        "dataset=<its dataset>). DATA: the kinds of dataset it can train on (ganops datasets)."
    )


# --------------------------------------------------------------------------------------------
# ganops datasets
# --------------------------------------------------------------------------------------------


def configured_size(entry: dict[str, Any], kind: str, preprocess: dict[str, Any]) -> str:
    """The size a dataset's samples are trained at, as configured."""
    from ganops.data.pairs import PairsConfig

    if kind == "points":
        return "2-D points"
    if kind == "pairs":
        pairs = entry.get("pairs") or {}
        side = pairs.get("size", PairsConfig.model_fields["size"].default)
        if pairs.get("task") == "super_resolution":
            small = side // pairs.get("factor", PairsConfig.model_fields["factor"].default)
            return f"{small}x{small} -> {side}x{side}"
        if pairs.get("task") == "inpaint":
            hole = pairs.get("hole", PairsConfig.model_fields["hole"].default)
            return f"{side}x{side}, {hole}x{hole} hole"
        return f"{side}x{side}"
    side = entry.get("image_size") or preprocess.get("image_size")
    return f"{side}x{side}" if side else "as stored"


def ingested(file: Path) -> str:
    """How many examples the preprocessed dataset ``file`` holds, and their shape (its meta:
    only that member of the archive is read)."""
    import numpy as np

    from ganops.data.files import ZIP_ERRORS, first_line

    if not file.is_file():
        return "not ingested yet"
    try:
        with np.load(file, allow_pickle=False) as archive:
            meta = json.loads(str(archive["meta"]))
    except (*ZIP_ERRORS, KeyError) as err:
        return f"unreadable ({first_line(err)})"
    counts = f"{meta.get('n_train', 0):,} + {meta.get('n_test', 0):,} test"
    shape = "x".join(str(side) for side in meta.get("sample_shape", []))
    return f"{counts} of {shape}" if shape else counts


def dataset_source(name: str, entry: dict[str, Any], root: Path) -> str:
    """Where a dataset comes from: its file paths (marked when missing), or what the
    embedded source is (its format's own description)."""
    from ganops.data.sources import DATASET_KEYS, parse_source
    from ganops.tracking.descriptions import headline

    raw = {key: value for key, value in entry.items() if key not in DATASET_KEYS}
    try:
        source = parse_source(name, raw)
    except ConfigError as err:
        return f"invalid: {err}"
    paths = [getattr(source, key) for key in ("path", "a", "b") if hasattr(source, key)]
    if paths:
        return ", ".join(p + ("" if (root / p).exists() else " (not there)") for p in paths)
    return f"embedded: {headline(type(source).__doc__)}"


def datasets_table(root: Path) -> str:
    """``ganops datasets``: each dataset of parameters_ingest.yml, its kind, format, size,
    whether it is ingested and where it comes from."""
    from ganops.data.sources import dataset_kind

    params = project_parameters(root)
    default, preprocess = params.get("dataset"), params.get("preprocess") or {}
    datasets = params.get("datasets") or {}
    if not datasets:
        return f"no datasets in {root / 'conf'} (parameters_ingest.yml's datasets)"
    rows = []
    for name, entry in datasets.items():
        entry = entry if isinstance(entry, dict) else {}
        kind = dataset_kind(entry)
        rows.append(
            [
                f"{name} *" if name == default else name,
                kind,
                str(entry.get("format", MISSING)),
                configured_size(entry, kind, preprocess),
                ingested(root / MODEL_INPUT.format(name=name)),
                dataset_source(name, entry, root),
            ]
        )
    table = fitted(["DATASET", "KIND", "FORMAT", "SIZE", "INGESTED", "SOURCE"], rows)
    return f"{table}\n\n" + note(
        "* the project's dataset (conf/base/globals.yml); another for one run: kedro run "
        "--params dataset=NAME. INGESTED: training + test examples after preprocessing "
        f"({MODEL_INPUT.format(name='NAME')})."
    )
