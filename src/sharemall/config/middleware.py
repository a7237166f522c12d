"""Keeps every API failure in the contract's error shape, even those Django answers itself."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

_CODES = {
    400: ("bad_request", "The request could not be understood."),
    403: ("forbidden", "You may not do this."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "This endpoint does not accept that method."),
    413: ("too_large", "The request is too large."),
    500: ("internal_error", "Something went wrong on our side."),
}


class ApiErrorShapeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code, message = _CODES.get(response.status_code, ("error", "Request failed."))
            shaped = JsonResponse(
                {"error": {"code": code, "message": message}}, status=response.status_code
            )
            for header in ("Allow", "Idempotent-Replayed", "Retry-After"):
                if response.has_header(header):
                    shaped[header] = response[header]
            return shaped
        return response
