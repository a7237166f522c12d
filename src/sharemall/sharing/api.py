from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from sharemall.accounts.auth import caller, member_auth, optional_auth, require_member
from sharemall.core.devices import device_of
from sharemall.core.errors import NotFound
from sharemall.core.http import client_address
from sharemall.core.schemas import PageQuery
from sharemall.sharing import rules, selectors, services
from sharemall.sharing.models import ShareLink
from sharemall.sharing.poster import share_poster_png
from sharemall.sharing.qr import qr_png
from sharemall.sharing.schemas import ClickOut, MyShareOut, PublicShareOut, ShareIn, ShareOut

router = Router(tags=["sharing"])

DEVICE_HEADER = "X-Device-Id"
QR_MAX_AGE_SECONDS = 24 * 3600


def _urls(code: str) -> dict[str, str]:
    base = settings.PUBLIC_BASE_URL
    return {"url": rules.share_url(base, code), "qr_url": rules.qr_url(base, code)}


def link_out(link: ShareLink, **extra: Any) -> dict[str, Any]:
    return {
        "code": link.code,
        **_urls(link.code),
        "rewarded": link.rewarded,
        "target_type": link.target_type,
        "target_id": link.target_id,
        "channel": link.channel,
        "created_at": link.created_at,
        **extra,
    }


def _link_or_404(code: str) -> ShareLink:
    link = selectors.link_by_code(code)
    if link is None:
        raise NotFound(_("No such share link."))
    return link


@router.post("/shares", response={201: ShareOut}, auth=member_auth)
def share_create(request: HttpRequest, payload: ShareIn) -> Status[dict[str, Any]]:
    result = services.share_create(
        sharer=require_member(request),
        target_type=payload.target_type,
        target_id=payload.target_id,
        channel=payload.channel,
        device=device_of(request),
        ip=client_address(request),
    )
    return Status(201, link_out(result.link, message=result.message))


@router.get("/shares", response=list[MyShareOut], auth=member_auth)
def my_shares(request: HttpRequest, q: Query[PageQuery]) -> list[dict[str, Any]]:
    links = list(selectors.links_of(require_member(request))[q.offset : q.offset + q.limit])
    clicks = selectors.click_counts(link.pk for link in links)
    return [link_out(link, clicks=clicks.get(link.pk, 0)) for link in links]


@router.get("/shares/{code}", response=PublicShareOut, auth=None)
def share_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    link = _link_or_404(code)
    return {
        "code": link.code,
        "target_type": link.target_type,
        "target_id": link.target_id,
        "sharer_nickname": link.sharer.nickname,
        "url": rules.share_url(settings.PUBLIC_BASE_URL, link.code),
    }


@router.get(
    "/shares/{code}/qr.png",
    auth=None,
    openapi_extra={
        "responses": {
            200: {
                "description": "The share's QR code, about 300 px square.",
                "content": {"image/png": {}},
            },
        }
    },
)
def share_qr(request: HttpRequest, code: str) -> HttpResponse:
    link = _link_or_404(code)
    response = HttpResponse(
        qr_png(rules.share_url(settings.PUBLIC_BASE_URL, link.code)), content_type="image/png"
    )
    # A code always names the same address, so browsers and CDNs may keep the picture.
    response["Cache-Control"] = f"public, max-age={QR_MAX_AGE_SECONDS}"
    return response


POSTER_MAX_AGE_SECONDS = 3600


@router.get(
    "/shares/{code}/poster.png",
    auth=None,
    openapi_extra={
        "responses": {
            200: {
                "description": "The share's poster, 750 × 1334 px: photo, title, price, QR code "
                "and the sharer's name.",
                "content": {"image/png": {}},
            },
        }
    },
)
def share_poster(request: HttpRequest, code: str) -> HttpResponse:
    link = _link_or_404(code)
    response = HttpResponse(
        share_poster_png(link, base_url=settings.PUBLIC_BASE_URL), content_type="image/png"
    )
    # Unlike the QR code, a poster shows a title, price and photo the merchant may change.
    response["Cache-Control"] = f"public, max-age={POSTER_MAX_AGE_SECONDS}"
    return response


@router.post("/shares/{code}/click", response=ClickOut, auth=optional_auth)
def share_click(request: HttpRequest, code: str) -> dict[str, Any]:
    """For app clients: records a visit by the signed-in caller, or by the `X-Device-Id` header's
    device for a stranger."""
    result = services.click_record(
        code=code,
        visitor_member=caller(request),
        visitor_key=request.headers.get(DEVICE_HEADER),
        ip=client_address(request),
    )
    return {
        "target_type": result.link.target_type,
        "target_id": result.link.target_id,
        "counted": result.counted,
    }
