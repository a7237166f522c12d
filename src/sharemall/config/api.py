"""The one JSON API: a router per app, and every failure mapped to a 4xx with a code."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from sharemall.accounts.api import router as accounts_router
from sharemall.addresses.api import router as addresses_router
from sharemall.aftersales.api import router as aftersales_router
from sharemall.analytics.api import router as analytics_router
from sharemall.catalog.api import router as catalog_router
from sharemall.checkout.api import router as checkout_router
from sharemall.checkout.api_promotions import router as promotion_orders_router
from sharemall.community.api import router as community_router
from sharemall.core.errors import DomainError
from sharemall.distribution.api import router as distribution_router
from sharemall.freight.api import router as freight_router
from sharemall.legal.api import router as legal_router
from sharemall.merchants.api import router as merchants_router
from sharemall.notifications.api import router as notifications_router
from sharemall.orders.api import router as orders_router
from sharemall.posts.api import router as posts_router
from sharemall.privacy.api import router as privacy_router
from sharemall.promotions.api.bargains import router as bargains_router
from sharemall.promotions.api.coupons import router as coupons_router
from sharemall.promotions.api.flash import router as flash_router
from sharemall.promotions.api.groups import router as group_buy_router
from sharemall.promotions.api.tasks import router as share_tasks_router
from sharemall.recommendations.api import router as recommendations_router
from sharemall.recommendations.api_quality import router as quality_router
from sharemall.settlement.api import router as settlement_router
from sharemall.sharing.api import router as sharing_router
from sharemall.verification.api import router as verification_router
from sharemall.wallet.api import router as wallet_router
from sharemall.wechat.component_api import router as wechat_component_router
from sharemall.wechat.mp_api import router as wechat_mp_router
from sharemall.wechat.oa_api import router as wechat_oa_router
from sharemall.wechat.subscribe_api import router as wechat_subscribe_router

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="ShareMall API",
    version="1",
    description="Social-commerce platform API. Money is integer fen (`*_fen`), rates are basis "
    'points (`*_bp`), errors are `{"error": {"code", "message"}}`.\n\n'
    "Apps name the device they run on with an `X-Device-Id` header (1-62 letters, digits, `.`, "
    "`_` or `-`) on sign-up, log-in, orders, shares and coupon claims: the fraud signals compare "
    "devices (our own pages send their device cookie instead). The client address is the "
    "connection's, or `X-Forwarded-For` read only through the proxies in `TRUSTED_PROXIES`.",
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="api",
)

api.add_router("", accounts_router)
api.add_router("", merchants_router)
api.add_router("", catalog_router)
api.add_router("", freight_router)
api.add_router("", addresses_router)
api.add_router("", checkout_router)
api.add_router("", orders_router)
api.add_router("", aftersales_router)
api.add_router("", distribution_router)
api.add_router("", sharing_router)
api.add_router("", posts_router)
api.add_router("", community_router)
api.add_router("", recommendations_router)
api.add_router("", quality_router)
api.add_router("", analytics_router)
api.add_router("", wallet_router)
api.add_router("", settlement_router)
api.add_router("", verification_router)
api.add_router("", privacy_router)
api.add_router("", legal_router)
api.add_router("", bargains_router)
api.add_router("", notifications_router)
api.add_router("", wechat_subscribe_router)
api.add_router("", wechat_oa_router)
api.add_router("", wechat_mp_router)
api.add_router("", wechat_component_router)
api.add_router("", coupons_router)
api.add_router("", share_tasks_router)
api.add_router("", promotion_orders_router)
api.add_router("", group_buy_router)
api.add_router("", flash_router)

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "rate_limited",
}


def error_response(
    request: HttpRequest, status: int, code: str, message: str, details: Any = None
) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return api.create_response(request, {"error": body}, status=status)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error_response(request, exc.status, exc.code, exc.message, exc.details)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = [
        {"loc": [str(part) for part in err.get("loc", [])], "msg": str(err.get("msg", ""))}
        for err in exc.errors
    ]
    first = details[0] if details else {"loc": [], "msg": "invalid"}
    where = ".".join(p for p in first["loc"] if p not in {"body", "payload", "query", "path"})
    message = f"{where}: {first['msg']}" if where else str(first["msg"])
    return error_response(request, 400, "invalid_input", message, details)


@api.exception_handler(DjangoValidationError)
def _django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return error_response(request, 400, "invalid_input", " ".join(exc.messages))


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "unauthenticated", _("Sign in first."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = _HTTP_CODES.get(exc.status_code, "bad_request")
    if exc.status_code == 400 and "parse" in str(exc).lower():
        code = "invalid_json"
    return error_response(request, exc.status_code, code, str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", _("Not found."))


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(request, 413, "payload_too_large", _("The request is too large."))


@api.exception_handler(SuspiciousOperation)
@api.exception_handler(MultiPartParserError)
@api.exception_handler(UnreadablePostError)
@api.exception_handler(RawPostDataException)
def _malformed(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Too many fields, a multipart body without a boundary, a form sent where JSON was expected.
    return error_response(
        request, 400, "malformed_request", _("The request body could not be read.")
    )


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def _out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The database refused a value: a number past its range, text past a column. Input the
    # schemas let through but the storage cannot hold; the transaction it was in rolled back.
    logger.warning("value out of range in %s %s: %s", request.method, request.path, exc)
    return error_response(request, 400, "invalid_input", _("A value is out of range."))


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unhandled error in %s %s", request.method, request.path)
    return error_response(request, 500, "internal_error", _("Something went wrong on our side."))
