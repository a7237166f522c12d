"""Domain errors carry a stable snake_case code and a human message; the edges map them to 4xx."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A request the rules refuse. `status` is the HTTP status an edge should answer with."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details


class NotFound(DomainError):
    """Missing, or belongs to someone else: both answer 404 so ids leak nothing."""

    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"


class InvalidTransition(Conflict):
    code = "invalid_transition"
