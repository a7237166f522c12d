"""The simulator mounted as under WECHAT_SANDBOX, plus stand-ins for our server's WeChat
callbacks (which live in another app): they check what arrives as our server must, and answer
the way it may (plain "success", or an encrypted reply in safe mode)."""

from __future__ import annotations

from typing import Any

import xmltodict
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import check_signature

# What the stand-in callbacks received, decrypted: the tests read it.
received: list[dict[str, Any]] = []


def _account(kind: str) -> dict[str, str]:
    return settings.WECHAT_COMPONENT if kind == "component" else settings.WECHAT_OA


def _callback(kind: str, request: HttpRequest, app_id: str = "") -> HttpResponse:
    account = _account("component" if kind != "oa" else "oa")
    q = request.GET
    try:
        check_signature(account["TOKEN"], q["signature"], q["timestamp"], q["nonce"])
    except (InvalidSignatureException, KeyError):
        return HttpResponse("bad signature", status=403)
    body = request.body.decode()
    crypto = None
    if q.get("encrypt_type") == "aes":
        crypto_id = settings.WECHAT_COMPONENT["APP_ID"] if kind != "oa" else account["APP_ID"]
        crypto = WeChatCrypto(account["TOKEN"], account["AES_KEY"], crypto_id)
        body = crypto.decrypt_message(body, q["msg_signature"], q["timestamp"], q["nonce"])
    message = xmltodict.parse(body)["xml"]
    received.append({"kind": kind, "app_id": app_id, "query": dict(q.items()), "xml": message})
    if crypto is None or kind == "component":
        return HttpResponse("success", content_type="text/plain")
    reply = (
        f"<xml><ToUserName><![CDATA[{message['FromUserName']}]]></ToUserName>"
        f"<FromUserName><![CDATA[{message['ToUserName']}]]></FromUserName>"
        "<CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        "<Content><![CDATA[欢迎光临]]></Content></xml>"
    )
    return HttpResponse(crypto.encrypt_message(reply, q["nonce"]), content_type="text/xml")


@csrf_exempt
def oa_callback(request: HttpRequest) -> HttpResponse:
    return _callback("oa", request)


@csrf_exempt
def component_callback(request: HttpRequest) -> HttpResponse:
    return _callback("component", request)


@csrf_exempt
def authorizer_events(request: HttpRequest, app_id: str) -> HttpResponse:
    return _callback("authorizer", request, app_id)


urlpatterns = [
    path("wechat-sim/", include("sharemall.wechat_sim.urls")),
    path("api/v1/wechat/oa/callback", oa_callback),
    path("api/v1/wechat/component/callback", component_callback),
    path("api/v1/wechat/component/events/<str:app_id>", authorizer_events),
    # The site itself, by name: the simulator never imports the project's configuration.
    path("", include("sharemall.config.urls")),
]
