"""The HTTP session every WeChat call goes through.

wechatpy names WeChat's host in full in many places (`https://api.weixin.qq.com/cgi-bin/…`,
`https://api.weixin.qq.com/sns/…`, `…/wxa/…`). Rather than patch each, the session rebases any
URL on that host onto WECHAT_API_BASE: in production the two are the same and nothing changes;
under WECHAT_SANDBOX the base is the simulator's (`http://sandbox.invalid/wechat-sim`), answered
in process (core/inprocess.py). One code path; only the base URL differs.
"""

from __future__ import annotations

from typing import Any, override

import requests
from requests.adapters import BaseAdapter

from sharemall.core import inprocess
from sharemall.wechat import config

TIMEOUT_SECONDS = 10


class RebaseAdapter(BaseAdapter):
    """Sends a request for WeChat's API host to the configured base instead."""

    def __init__(self, to_base: str) -> None:
        super().__init__()
        self.to_base = to_base.rstrip("/")
        self.onward = inprocess.session()

    @override
    def send(  # the transport signature of requests; the options pass through unchanged
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: dict[str, str] | None = None,
    ) -> requests.Response:
        url = request.url or ""
        request.url = self.to_base + url.removeprefix(config.API_HOST_BASE)
        adapter = self.onward.get_adapter(request.url)
        return adapter.send(
            request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies
        )

    def close(self) -> None:
        self.onward.close()


def session() -> requests.Session:
    """A session for wechatpy's `_http`: WeChat's host goes to WECHAT_API_BASE."""
    http = inprocess.session()
    base = config.api_base()
    if base != config.API_HOST_BASE:
        http.mount(f"{config.API_HOST_BASE}/", RebaseAdapter(base))
    return http
