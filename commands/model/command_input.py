"""The first look at a command, before any row is read: every text field is safe to send.

Handlers look ids, emails, SKUs and idempotency keys up before an aggregate sees them, and
the databases refuse some text outright (SQLite cannot encode a lone surrogate, PostgreSQL
stores no NUL). So `check_command` refuses, for every string of every command, what
`validation.text_problem` refuses (too long for its field, control characters, surrogates,
direction controls), and too many order lines, reporting them all at once. The other rules
(empty names, email syntax, countries, money ...) stay with the aggregates.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from commands.messages import (
    Address,
    Command,
    OrderLineRequest,
    UpdateCustomer,
    UpdateProduct,
)
from commands.model.order import MAX_LINES
from commands.model.validation import LIMITS, Field, Problems, text_problem

# Fields the GraphQL input names otherwise than camelCase of the message's field.
_INPUT_NAMES: dict[tuple[type[Any], str], str] = {
    (UpdateCustomer, "customer_id"): "id",
    (UpdateProduct, "product_id"): "id",
}


def check_command(command: Command) -> None:
    """CommandRejected (VALIDATION_FAILED, with field paths) for text no command may carry."""
    problems = Problems()
    _check_fields(problems, command, ())
    problems.raise_if_any()


def _check_fields(problems: Problems, message: Any, at: Field) -> None:
    for field in dataclasses.fields(message):
        value = getattr(message, field.name)
        name = _INPUT_NAMES.get((type(message), field.name)) or _camel(field.name)
        path = (*at, name)
        if isinstance(value, str):
            if (problem := text_problem(value, name, LIMITS[name])) is not None:
                problems.invalid(problem, path)
        elif isinstance(value, Address):
            _check_fields(problems, value, path)
        elif isinstance(value, tuple):
            _check_lines(problems, value, path)


def _check_lines(problems: Problems, lines: tuple[OrderLineRequest, ...], path: Field) -> None:
    # Counted before anything else: a request with 100,000 lines is refused unread.
    if len(lines) > MAX_LINES:
        problems.invalid(f"an order needs 1 to {MAX_LINES} lines", path)
        return
    for index, line in enumerate(lines):
        _check_fields(problems, line, (*path, str(index)))


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
