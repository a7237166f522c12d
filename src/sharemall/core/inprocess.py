"""HTTP to a service that lives in this same process, for built-in sandboxes.

The WeChat simulator (`WECHAT_SANDBOX=1`) stands in for WeChat's servers, and it pushes events
back to our callback as WeChat does. Both directions are real HTTP requests made by the real
client code (wechatpy over `requests`); only the base URL differs from production. A base URL on
the reserved host `SANDBOX_HOST` is answered here, in process, by Django's URL resolver and the
view it finds, instead of over a socket. That works the same under `sharemall serve`, in the
demo, and in a test with no server at all, and it never needs to know the address the server
listens on.

Views are called without the middleware stack and without `request_started`/`request_finished`
(which would close the database connection of the request that made the call): they must be
plain endpoints that read what they need from the request, which both the simulator's API and
our WeChat callbacks are.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any, override
from urllib.parse import urlsplit

import requests
from django.http import HttpResponse, HttpResponseBase
from django.test import RequestFactory
from django.urls import Resolver404, resolve
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

# A name under .invalid (RFC 2606): it can never resolve to a real host by mistake.
SANDBOX_HOST = "sandbox.invalid"
SANDBOX_BASE = f"http://{SANDBOX_HOST}"


def is_sandbox_url(url: str) -> bool:
    return urlsplit(url).hostname == SANDBOX_HOST


class InProcessAdapter(BaseAdapter):
    """A `requests` transport that answers requests for SANDBOX_BASE from this process's views."""

    @override  # requests' transport signature; a call in process reads the body in full and
    def send(  # waits on no network, so the transport options have nothing to change
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: dict[str, str] | None = None,
    ) -> requests.Response:
        parts = urlsplit(request.url or "")
        if parts.hostname != SANDBOX_HOST:
            raise requests.ConnectionError(f"{parts.hostname} is not served in process")
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        headers = {
            key: value if isinstance(value, str) else value.decode("latin-1")
            for key, value in request.headers.items()
            if key.lower() not in {"content-length", "host"}
        }
        content_type = headers.pop("Content-Type", "application/octet-stream")
        factory = RequestFactory(SERVER_NAME=SANDBOX_HOST)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        django_request = factory.generic(
            (request.method or "GET").upper(),
            path,
            data=body,
            content_type=content_type,
            headers=headers,
        )
        try:
            match = resolve(parts.path)
        except Resolver404:
            answer: HttpResponseBase = HttpResponse(b"not found", status=404)
        else:
            answer = match.func(django_request, *match.args, **match.kwargs)
            render = getattr(answer, "render", None)
            if callable(render):  # a TemplateResponse
                render()
        return _response(request, answer)

    def close(self) -> None:
        return None


def _response(request: requests.PreparedRequest, answer: HttpResponseBase) -> requests.Response:
    response = requests.Response()
    response.status_code = answer.status_code
    response.headers = CaseInsensitiveDict(dict(answer.items()))
    content = b"".join(answer) if answer.streaming else answer.content  # type: ignore[attr-defined]
    response.raw = BytesIO(content)
    response._content = content  # the body is read in full
    response.encoding = requests.utils.get_encoding_from_headers(response.headers)
    response.url = request.url or ""
    response.request = request
    response.reason = getattr(answer, "reason_phrase", "")
    return response


def mount(session: requests.Session) -> requests.Session:
    """Lets `session` reach SANDBOX_BASE in process; every other URL goes out as usual."""
    # The trailing slash matters: requests matches mounts by prefix, and without it a host such
    # as sandbox.invalid.example.com would be answered here too.
    session.mount(f"{SANDBOX_BASE}/", InProcessAdapter())
    return session


def session() -> requests.Session:
    return mount(requests.Session())
