"""Validation of parameter dicts into typed configs, with errors that name the key; a
variant's committed parameters."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from ganops.errors import ConfigError

T = TypeVar("T")


def describe(err: ValidationError, where: str) -> str:
    """One line per problem: ``where.key.path: message``."""
    lines = []
    for problem in err.errors():
        path = ".".join(str(p) for p in (where, *problem["loc"]) if p != "")
        lines.append(f"{path}: {problem['msg']}")
    return "; ".join(lines)


def validate(schema: type[T] | Any, raw: Any, where: str) -> T:
    """Validate ``raw`` against a pydantic model or type; ``ConfigError`` names each bad key."""
    try:
        if isinstance(schema, type) and issubclass(schema, BaseModel):
            return schema.model_validate(raw)
        return TypeAdapter(schema).validate_python(raw)
    except ValidationError as err:
        raise ConfigError(f"invalid parameters: {describe(err, where)}") from err


def variant_params(project: Path, variant: str) -> dict[str, Any]:
    """The committed parameters of a variant (``conf/base``), as the pipelines use them."""
    text = (project / "conf" / "base" / f"parameters_{variant}.yml").read_text()
    return yaml.safe_load(text)[variant]
