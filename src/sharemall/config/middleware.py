"""Keeps every API failure in the contract's error shape, even those Django answers itself, and
refuses input that could never be accepted before it reaches a view."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    QueryDict,
    UnreadablePostError,
)
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as _noop

from sharemall.core.http import (
    int_out_of_range_in_form,
    json_body_problem,
    nul_in_form,
    past_int64,
)
from sharemall.core.idempotency import HEADER as IDEMPOTENCY_HEADER

_CODES = {
    400: ("bad_request", "The request could not be understood."),
    403: ("forbidden", "You may not do this."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "This endpoint does not accept that method."),
    413: ("payload_too_large", "The request is too large."),
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


class _Problem(NamedTuple):
    status: int
    code: str
    message: str  # a msgid, translated when answering


_TOO_LARGE = _Problem(413, "payload_too_large", _noop("The request is too large."))
_MALFORMED = _Problem(400, "malformed_request", _noop("The request body could not be read."))
_NUL = _Problem(400, "invalid_input", _noop("Text must not contain NUL characters."))
_INT_RANGE = _Problem(400, "invalid_input", _noop("A number is out of range."))
_NO_SUCH_ID = _Problem(404, "not_found", _noop("Not found."))

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class BadInputMiddleware:
    """Refuses, before any view runs, input that no endpoint or page can ever accept: NUL
    characters (PostgreSQL cannot store them) anywhere in the path, query string, form or JSON
    body; integers past 64 bits as a path segment, in a JSON body or as an id, offset or limit
    of a query string or form; bodies over the size limit, malformed multipart and too many
    fields. The API answers in the contract's error shape, pages with Django's 400 and 404
    pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            problem = _input_problem(request)
        except RequestDataTooBig:
            problem = _TOO_LARGE
        except (SuspiciousOperation, MultiPartParserError, UnreadablePostError):
            problem = _MALFORMED
        if problem is None:
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {"error": {"code": problem.code, "message": _(problem.message)}},
                status=problem.status,
            )
        if problem.status == 404:
            raise Http404(_(problem.message))
        raise BadRequest(_(problem.message))


def _input_problem(request: HttpRequest) -> _Problem | None:
    path = request.path_info
    if "\x00" in path:
        return _NUL
    if any(past_int64(part) for part in path.split("/")):
        return _NO_SUCH_ID
    problem = _form_problem(request.GET)
    if problem is None and request.method in _BODY_METHODS:
        problem = _body_problem(request)
    return problem


def _body_problem(request: HttpRequest) -> _Problem | None:
    if request.content_type == "multipart/form-data":
        if request.headers.get(IDEMPOTENCY_HEADER) is not None:
            # The key's fingerprint hashes the raw body: keep it readable after parsing.
            _ = request.body
        return _NUL if nul_in_form(request.FILES) else _form_problem(request.POST)
    body = request.body  # over DATA_UPLOAD_MAX_MEMORY_SIZE: RequestDataTooBig
    if request.content_type == "application/x-www-form-urlencoded":
        return _form_problem(request.POST)
    return {"nul": _NUL, "int_range": _INT_RANGE}.get(json_body_problem(body) or "")


def _form_problem(data: QueryDict) -> _Problem | None:
    if nul_in_form(data):
        return _NUL
    if int_out_of_range_in_form(data):
        return _INT_RANGE
    return None
