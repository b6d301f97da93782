"""Turning validation errors into one sentence a person can act on."""

from __future__ import annotations

from pydantic import ValidationError


def first_error(error: ValidationError) -> str:
    """'Date of birth: ...' from the first problem of a pydantic validation error."""
    problem = error.errors()[0]
    field = str(problem["loc"][-1]).replace("_", " ").capitalize() if problem["loc"] else "Input"
    message = str(problem["msg"]).removeprefix("Value error, ")
    return f"{field}: {message}."
