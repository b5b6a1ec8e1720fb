"""Puts back the nulls FastAPI leaves out of the examples in the OpenAPI document.

FastAPI encodes the whole document with `exclude_none`, the examples included
(fastapi/fastapi#5559): `"error_code": null` disappeared from the example of a run, which then
lacked a required field and contradicted its own schema, for readers and for tools that check
or replay examples. The models' own JSON schemas keep the nulls, so the examples are taken
from there."""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import BaseModel

# FastAPI's suffixes for a model whose schema differs between request and response.
_MODE_SUFFIXES = ("-Input", "-Output")


def _model_name(component: str) -> str:
    for suffix in _MODE_SUFFIXES:
        component = component.removesuffix(suffix)
    return component


def _subclasses(cls: type[BaseModel]) -> list[type[BaseModel]]:
    found = []
    for subclass in cls.__subclasses__():
        found.append(subclass)
        found.extend(_subclasses(subclass))
    return found


def _models_by_component_name() -> dict[str, type[BaseModel]]:
    """The app's models by the names FastAPI gives their schemas: the class name, or the
    module path and class name (dots as `__`) when two models share a class name."""
    models = [model for model in _subclasses(BaseModel) if model.__module__.startswith("app.")]
    name_counts = Counter(model.__name__ for model in models)
    named = {}
    for model in models:
        named[f"{model.__module__.replace('.', '__')}__{model.__name__}"] = model
        if name_counts[model.__name__] == 1:
            named[model.__name__] = model
    return named


def restore_example_nulls(document: dict[str, Any]) -> None:
    models = _models_by_component_name()
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        model = models.get(_model_name(name))
        if model is None:
            continue
        own = model.model_json_schema()
        if "examples" in schema and "examples" in own:
            schema["examples"] = own["examples"]
        for field, field_schema in schema.get("properties", {}).items():
            own_field = own.get("properties", {}).get(field, {})
            if "examples" in field_schema and "examples" in own_field:
                field_schema["examples"] = own_field["examples"]
