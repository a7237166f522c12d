"""Pushes to an account's server URL, as WeChat makes them: the XML, the signed query string
(`signature`, `timestamp`, `nonce`, `openid`) and, in safe mode (an EncodingAESKey is set), the
body encrypted with wechatpy's WeChatCrypto plus `encrypt_type=aes&msg_signature`. The server's
answer is kept, decrypted when it is encrypted."""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any
from xml.parsers.expat import ExpatError

import requests
import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException

from sharemall.core import inprocess
from sharemall.wechat_sim import rules, services
from sharemall.wechat_sim.models import Push, SimOpenid
from sharemall.wechat_sim.selectors import (
    App,
    app_by_id,
    app_of_kind,
    component_app,
    openid_row,
    user_by_id,
)

logger = logging.getLogger(__name__)

PUSH_TIMEOUT_SECONDS = 5


class PushRefused(Exception):
    """The push cannot be made as asked (no such app, user or event); `code` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Delivery:
    """What was sent and what came back."""

    push: Push

    def as_json(self) -> dict[str, Any]:
        p = self.push
        return {
            "id": p.pk,
            "app_id": p.app_id,
            "url": p.url,
            "kind": p.kind,
            "openid": p.openid,
            "sent": p.plaintext,
            "encrypted": p.encrypted,
            "status": p.status,
            "answer": p.answer,
            "answer_plaintext": p.answer_plaintext,
            "error": p.error,
        }


def _app(app_id: str | None) -> App:
    app = app_by_id(app_id) if app_id else app_of_kind("oa")
    if app is None or app.kind not in {"oa", "merchant_oa"}:
        raise PushRefused("unknown_app", "No official account with that app id.")
    if not app.token or not app.original_id:
        raise PushRefused("app_not_configured", "That account has no message token.")
    return app


def _openid(app: App, user_id: object, openid: object) -> SimOpenid:
    if isinstance(openid, str) and openid:
        row = openid_row(openid)
        if row is None or row.app_id != app.app_id:
            raise PushRefused("unknown_openid", "No such openid under that account.")
        return row
    user = user_by_id(user_id)
    if user is None:
        raise PushRefused("unknown_user", "Name a user_id or an openid.")
    return services.openid_for(user, app.app_id)


def push_event(
    *,
    app_id: str | None = None,
    user_id: object = None,
    openid: object = None,
    event: str,
    scene: str | None = None,
    content: str | None = None,
) -> Delivery:
    """Sends `event` ("subscribe", "SCAN", "unsubscribe" or "text") from a user to an official
    account. A subscribe or SCAN with a scene goes through a QR ticket of that scene: a user
    who already follows the account sends SCAN, one who does not sends subscribe with
    EventKey `qrscene_<scene>` (as WeChat does, whichever of the two was asked)."""
    if event not in rules.PUSH_EVENTS:
        raise PushRefused(
            "unknown_event", "The event must be subscribe, SCAN, unsubscribe or text."
        )
    if scene is not None and not 0 < len(scene) <= rules.QR_SCENE_STR_MAX:
        raise PushRefused("invalid_scene", "A scene is 1 to 64 characters.")
    app = _app(app_id)
    row = _openid(app, user_id, openid)
    now = int(time.time())
    to_user, from_user = app.original_id, row.openid
    if event == "text":
        if not content:
            raise PushRefused("content_required", "A text message needs content.")
        xml = rules.text_xml(
            to_user=to_user,
            from_user=from_user,
            create_time=now,
            content=content,
            msg_id=now * 1000 + secrets.randbelow(1000),
        )
    elif event == "unsubscribe":
        services.set_following(row, following=False)
        xml = rules.event_xml(
            to_user=to_user, from_user=from_user, create_time=now, event="unsubscribe", event_key=""
        )
    elif event == "SCAN" and scene is None:
        raise PushRefused("scene_required", "A SCAN event needs a scene.")
    else:
        name, key = rules.subscribe_event_key(scene, following=row.subscribed)
        ticket = services.qr_for_scene(app.app_id, scene).ticket if scene else None
        if name == "subscribe":
            services.set_following(row, following=True, scene=scene)
        xml = rules.event_xml(
            to_user=to_user,
            from_user=from_user,
            create_time=now,
            event=name,
            event_key=key,
            ticket=ticket,
        )
    return _deliver(app, xml, kind=event, openid=row.openid, head=("ToUserName", app.original_id))


def push_component_ticket() -> Delivery:
    """A fresh component_verify_ticket to the component's callback (WeChat sends one every ten
    minutes); api_component_token wants the latest."""
    app = component_app()
    if app is None or not app.token or not app.aes_key:
        raise PushRefused("app_not_configured", "No component with a token and key in settings.")
    ticket = services.new_verify_ticket(app.app_id)
    xml = rules.verify_ticket_xml(
        component_app_id=app.app_id, create_time=int(time.time()), ticket=ticket.code
    )
    return _deliver(app, xml, kind="component_verify_ticket", head=("AppId", app.app_id))


def push_authorized(
    component_app_id: str, authorizer_app_id: str, auth_code: str, pre_auth: str, expires_at: int
) -> Delivery | None:
    """Tells the component an account authorised it (best effort, as the redirect carries the
    code too)."""
    app = component_app()
    if app is None or app.app_id != component_app_id or not app.aes_key:
        return None
    xml = rules.authorized_xml(
        component_app_id=app.app_id,
        create_time=int(time.time()),
        authorizer_app_id=authorizer_app_id,
        auth_code=auth_code,
        expires_at=expires_at,
        pre_auth_code=pre_auth,
    )
    return _deliver(app, xml, kind="authorized", head=("AppId", app.app_id))


def _deliver(app: App, xml: str, *, kind: str, head: tuple[str, str], openid: str = "") -> Delivery:
    timestamp, nonce = str(int(time.time())), rules.new_nonce()
    params = {
        "signature": rules.signature(app.token, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
    }
    if openid:
        params["openid"] = openid
    body = xml
    crypto = WeChatCrypto(app.token, app.aes_key, app.crypto_app_id) if app.aes_key else None
    if crypto is not None:
        sealed = xmltodict.parse(crypto.encrypt_message(xml, nonce, timestamp))["xml"]
        body = rules.encrypted_envelope(head=head, encrypt=sealed["Encrypt"])
        params |= {"encrypt_type": "aes", "msg_signature": sealed["MsgSignature"]}
    push = Push(
        app_id=app.app_id,
        url=app.server_url,
        kind=kind,
        openid=openid,
        plaintext=xml,
        encrypted=crypto is not None,
    )
    try:
        answer = inprocess.session().post(
            app.server_url,
            params=params,
            data=body.encode(),
            headers={"Content-Type": "text/xml"},
            timeout=PUSH_TIMEOUT_SECONDS,
        )
    except requests.RequestException as exc:
        push.error = f"{type(exc).__name__}: {exc}"
    else:
        push.status = answer.status_code
        push.answer = answer.text
        if crypto is not None:
            push.answer_plaintext, push.error = _open_answer(crypto, answer.text)
    push.save()
    logger.info("wechat_sim push %s to %s: %s", kind, app.server_url, push.status)
    return Delivery(push)


def _open_answer(crypto: WeChatCrypto, text: str) -> tuple[str, str]:
    """(plaintext, problem) of a safe-mode reply; "success" or an empty answer stays as it is."""
    if "<Encrypt>" not in text:
        return "", ""
    try:
        reply = xmltodict.parse(text)["xml"]
        plain = crypto.decrypt_message(
            reply, reply["MsgSignature"], reply["TimeStamp"], reply["Nonce"]
        )
    except (InvalidSignatureException, InvalidAppIdException) as exc:
        return "", f"the reply does not decrypt: {type(exc).__name__}"
    except (ExpatError, KeyError, TypeError, ValueError) as exc:
        return "", f"the reply is not a safe-mode message: {exc}"
    return str(plain), ""
