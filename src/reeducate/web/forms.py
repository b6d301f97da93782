"""Posted forms: read once on the event loop, and their validation errors as one sentence a person can act on."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from pydantic import ValidationError
from starlette.datastructures import FormData


async def posted_form(request: Request) -> FormData:
    """The posted form, read on the event loop so that the route itself can be a plain ``def``.

    A plain route runs in the thread pool, where its database and engine work cannot hold up other
    requests; reading the body is the only part that needs ``await``.
    """
    return await request.form()


FormDep = Annotated[FormData, Depends(posted_form)]


def form_values(form: FormData) -> dict[str, str]:
    """The form's fields as text, without the CSRF token (for re-showing a refused form)."""
    return {key: str(value) for key, value in form.items() if key != "csrf_token"}


def first_error(error: ValidationError) -> str:
    """'Date of birth: ...' from the first problem of a pydantic validation error."""
    problem = error.errors()[0]
    field = str(problem["loc"][-1]).replace("_", " ").capitalize() if problem["loc"] else "Input"
    message = str(problem["msg"]).removeprefix("Value error, ")
    return f"{field}: {message}."
