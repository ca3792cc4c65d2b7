"""Validation of API responses against the service's own published OpenAPI document."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

DOCUMENT_URI = "urn:engage:openapi"


def validator(document: dict[str, Any], schema: str) -> Draft202012Validator:
    """A validator for one of the document's `components/schemas`, resolving its references within it."""
    registry = Registry().with_resource(DOCUMENT_URI,
                                        Resource.from_contents(document, default_specification=DRAFT202012))
    return Draft202012Validator({"$ref": f"{DOCUMENT_URI}#/components/schemas/{schema}"}, registry=registry,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def assert_valid(document: dict[str, Any], schema: str, instance: Any) -> None:
    errors = sorted(validator(document, schema).iter_errors(instance), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:10])
