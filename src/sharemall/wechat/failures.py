"""WeChat's refusals, as our errors: a bad code the member sent is theirs to fix (400
`invalid_code`); anything else WeChat or the network does wrong is a 502 `wechat_error` with
WeChat's own words, never a 500."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import requests
from django.utils.translation import gettext as _
from wechatpy.exceptions import WeChatException

from sharemall.core.errors import DomainError
from sharemall.wechat import rules

logger = logging.getLogger(__name__)


class WechatError(DomainError):
    """WeChat answered with an error, or did not answer."""

    status = 502
    code = "wechat_error"


class InvalidCode(DomainError):
    code = "invalid_code"


@contextmanager
def translated(*, codes_from_member: bool = False) -> Iterator[None]:
    """Run WeChat calls, turning their failures into ours. `codes_from_member`: the call
    carries a code the client sent (wx.login, the phone button), so WeChat's "invalid or used
    code" is the client's to fix."""
    try:
        yield
    except WeChatException as refused:
        errcode = getattr(refused, "errcode", None)
        errmsg = getattr(refused, "errmsg", None) or ""
        response = getattr(refused, "response", None)
        if errcode is None and response is not None:  # an HTTP error, not a WeChat errcode
            errmsg = errmsg or f"HTTP {response.status_code}"
        if codes_from_member and errcode in rules.INVALID_CODE_ERRCODES:
            raise InvalidCode(
                _("This WeChat code is wrong or was used already: get a new one and try again.")
            ) from refused
        logger.warning("WeChat refused a call: %s %s", errcode, errmsg)
        raise WechatError(
            _("WeChat refused the request (%(errcode)s %(errmsg)s); try again later.")
            % {"errcode": errcode if errcode is not None else "-", "errmsg": errmsg},
            details={"errcode": errcode, "errmsg": errmsg},
        ) from refused
    except requests.RequestException as failed:
        logger.warning("WeChat did not answer: %s", failed)
        raise WechatError(_("WeChat did not answer; try again later.")) from failed
