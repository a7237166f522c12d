"""A lean way in for the hottest API operations (docs/adr/0019): the same ninja operation, the
same answers, without the work a cookie-less API call never needs.

Django hands every request through its whole middleware chain and walks the URL patterns to find
the view. For an app's call to the API that carries no cookie, several middlewares have nothing
to do (`SKIPPED`), and resolving costs ~0.1 ms per request. `front(routes, app)` sends a request
for one of `routes` that carries no Cookie header to a `LeanHandler`: Django's own WSGI handler
(the same request object, signals, response and error handling), with the middleware chain minus
`SKIPPED` and with the route already known. Every other request goes to `app` unchanged.

Answers are the same by construction: the view is the resolved ninja operation itself, and every
middleware that shapes an answer for such a call stays (security and policy headers, the error
shape, the bad-input guard, the session's Vary, the language, idempotency).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.urls import ResolverMatch, resolve

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# Middlewares that never change a cookie-less API call or its answer.
SKIPPED = frozenset(
    {
        "whitenoise.middleware.WhiteNoiseMiddleware",  # static files only
        "sharemall.core.devices.DeviceMiddleware",  # the pages' device cookie; skips /api/
        "django.middleware.csrf.CsrfViewMiddleware",  # API operations are CSRF-exempt
        "django.contrib.messages.middleware.MessageMiddleware",  # pages' flash messages
        "django_htmx.middleware.HtmxMiddleware",  # pages' partial updates
    }
)

_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
# Where `front` leaves the route it matched for the handler's resolve step.
_MATCH_KEY = "sharemall.edge.match"


@dataclass(frozen=True)
class Route:
    """One claimed operation: its method and its URL pattern as Django names it (`route` of the
    ResolverMatch, e.g. "api/v1/payments/sandbox/<payment_id>/complete")."""

    method: str
    pattern: str

    def regex(self) -> re.Pattern[str]:
        # Django's default converter takes any one path segment; a parameter here takes plain
        # ASCII only, so anything Django would decode differently from the raw environ goes there.
        parts = _PARAMETER.split(self.pattern)  # literal, name, literal, name, ...
        body = "".join(
            re.escape(part) if i % 2 == 0 else rf"(?P<{part}>[\w.-]+)"
            for i, part in enumerate(parts)
        )
        return re.compile("/" + body, re.ASCII)

    def example(self) -> str:
        return "/" + _PARAMETER.sub("1", self.pattern)


class LeanHandler(WSGIHandler):
    """Django's WSGI handler for claimed routes: fewer middlewares, no URL walk."""

    def load_middleware(self, is_async: bool = False) -> None:
        # Django builds the chain from settings.MIDDLEWARE; it is swapped only while this
        # handler is built, once, when the WSGI module is imported.
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = [m for m in full if m not in SKIPPED]
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full

    def resolve_request(self, request: WSGIRequest) -> ResolverMatch:  # type: ignore[override]
        match: ResolverMatch = request.META[_MATCH_KEY]
        request.resolver_match = match
        return match


class _Claimed:
    def __init__(self, route: Route) -> None:
        self.method = route.method
        self.regex = route.regex()
        template = resolve(route.example())
        if template.route != route.pattern:
            raise ValueError(f"{route.pattern} resolves to {template.route}")
        self.template = template

    def match(self, path: str) -> ResolverMatch | None:
        found = self.regex.fullmatch(path)
        if found is None:
            return None
        kwargs = found.groupdict()
        # The route's own match with this request's parameters (ResolverMatch refuses copy()).
        match = object.__new__(ResolverMatch)
        match.__dict__.update(self.template.__dict__, kwargs=kwargs, captured_kwargs=kwargs)
        return match


def front(routes: Sequence[Route], app: WsgiApp) -> WsgiApp:
    """`app`, with cookie-less calls of `routes` answered by a LeanHandler."""
    claimed = [_Claimed(r) for r in routes]
    lean = LeanHandler()

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if "HTTP_COOKIE" not in environ:
            method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO", "")
            for route in claimed:
                if route.method == method and (match := route.match(path)) is not None:
                    environ[_MATCH_KEY] = match
                    return lean(environ, start_response)
        return app(environ, start_response)

    return application
