"""Route declarations that carry their schemas, so the OpenAPI document is generated from them."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from pydantic import BaseModel


@dataclass(frozen=True)
class QueryParam:
    """A documented query-string parameter."""

    name: str
    type: str = "string"
    description: str = ""
    enum: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Operation:
    """One API operation: where it lives, what it takes and what it answers."""

    path: str  # Flask form: /buyers/<int:buyer_id>
    method: str
    endpoint: str
    summary: str
    body: type[BaseModel] | None = None
    query: tuple[QueryParam, ...] = ()
    responses: dict[int, str] = field(default_factory=dict)
    tag: str = "buyers"
    auth: bool = True


OPERATIONS: list[Operation] = []


def operation(bp, path: str, method: str, summary: str, *, body: type[BaseModel] | None = None,
              query: tuple[QueryParam, ...] = (), responses: dict[int, str] | None = None,
              tag: str = "buyers", auth: bool = True) -> Callable:
    """Register a view on the blueprint and record its contract for the OpenAPI document."""

    def wrap(fn: Callable) -> Callable:
        bp.add_url_rule(path, endpoint=fn.__name__, view_func=fn, methods=[method])
        OPERATIONS.append(Operation(path, method, fn.__name__, summary, body, query,
                                    responses or {200: "OK"}, tag, auth))
        return fn

    return wrap
