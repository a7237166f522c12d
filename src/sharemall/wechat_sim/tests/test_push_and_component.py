from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from wechatpy.utils import check_signature

from sharemall.wechat_sim.tests import urls as callbacks
from sharemall.wechat_sim.tests.conftest import COMPONENT, OA, Sim

TEA = "wx5a0d1e00000001d1"  # seeded: 茶语小店公众号


def _pushed(sim: Sim, body: dict[str, Any]) -> dict[str, Any]:
    answer = sim.post("api/push", body)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_plain_push_is_signed_and_scan_follows_subscribe(sim: Sim, settings: Any) -> None:
    settings.WECHAT_OA = OA | {"AES_KEY": ""}
    user = sim.user()
    first = _pushed(sim, {"user_id": user["id"], "event": "subscribe", "scene": "SHARE9"})
    assert first["status"] == 200 and first["answer"] == "success" and not first["encrypted"]
    got = callbacks.received[-1]
    check_signature(
        OA["TOKEN"], got["query"]["signature"], got["query"]["timestamp"], got["query"]["nonce"]
    )
    xml = got["xml"]
    assert (
        xml["ToUserName"] == OA["ORIGINAL_ID"]
        and xml["FromUserName"] == user["openids"][OA["APP_ID"]]
    )
    assert got["query"]["openid"] == xml["FromUserName"]
    assert (xml["MsgType"], xml["Event"], xml["EventKey"]) == (
        "event",
        "subscribe",
        "qrscene_SHARE9",
    )
    assert xml["Ticket"] and int(xml["CreateTime"]) > 0
    # A follower scanning sends SCAN with the bare scene, through the same ticket.
    _pushed(sim, {"openid": xml["FromUserName"], "event": "SCAN", "scene": "SHARE9"})
    scan = callbacks.received[-1]["xml"]
    assert (scan["Event"], scan["EventKey"], scan["Ticket"]) == ("SCAN", "SHARE9", xml["Ticket"])
    _pushed(sim, {"user_id": user["id"], "event": "unsubscribe"})
    assert callbacks.received[-1]["xml"]["Event"] == "unsubscribe"
    _pushed(sim, {"user_id": user["id"], "event": "text", "content": "你好 ]]> world"})
    text = callbacks.received[-1]["xml"]
    assert (text["MsgType"], text["Content"]) == ("text", "你好 ]]> world") and text["MsgId"]


def test_safe_mode_push_is_encrypted_and_the_reply_decrypted(sim: Sim) -> None:
    user = sim.user()
    result = _pushed(sim, {"app_id": OA["APP_ID"], "user_id": user["id"], "event": "subscribe"})
    assert result["encrypted"] and result["status"] == 200
    got = callbacks.received[-1]
    assert got["query"]["encrypt_type"] == "aes" and got["query"]["msg_signature"]
    assert got["xml"]["Event"] == "subscribe" and "EventKey" not in got["xml"]
    # What was on the wire is ciphertext wechatpy opens; our answer was decrypted back.
    assert "<Encrypt>" in result["answer"] and "欢迎光临" in result["answer_plaintext"]
    assert result["error"] == ""


def test_push_refusals(sim: Sim) -> None:
    user = sim.user()
    cases = [
        ({"user_id": user["id"], "event": "click"}, "unknown_event"),
        ({"user_id": 99999, "event": "subscribe"}, "unknown_user"),
        ({"openid": "ozzz", "event": "subscribe"}, "unknown_openid"),
        ({"user_id": user["id"], "event": "SCAN"}, "scene_required"),
        ({"user_id": user["id"], "event": "text"}, "content_required"),
        ({"app_id": "wxnope", "user_id": user["id"], "event": "subscribe"}, "unknown_app"),
        ({"user_id": user["id"], "event": "subscribe", "scene": "s" * 65}, "invalid_scene"),
    ]
    for body, code in cases:
        answer = sim.post("api/push", body)
        assert (answer.status_code, answer.json()["error"]["code"]) == (400, code), body
    assert (
        sim.http.post("http://sandbox.invalid/wechat-sim/api/push", data=b"[1]").status_code == 400
    )
    assert sim.get("api/push").status_code == 405


def test_a_failing_server_is_reported_not_raised(sim: Sim, monkeypatch: pytest.MonkeyPatch) -> None:
    user = sim.user()
    # Platform apps read the address when listed, so the patched one is pushed to.
    monkeypatch.setattr(
        "sharemall.wechat_sim.selectors.OA_SERVER_URL", "http://sandbox.invalid/nowhere"
    )
    assert _pushed(sim, {"user_id": user["id"], "event": "subscribe"})["status"] == 404
    monkeypatch.setattr("sharemall.wechat_sim.selectors.OA_SERVER_URL", "http://127.0.0.1:9/cb")
    unreachable = _pushed(sim, {"user_id": user["id"], "event": "SCAN", "scene": "A"})
    assert unreachable["status"] is None and "ConnectionError" in unreachable["error"]


def _component_token(sim: Sim) -> str:
    ticket = sim.post("api/component-ticket").json()
    assert ticket["status"] == 200 and ticket["encrypted"]
    got = callbacks.received[-1]
    assert got["kind"] == "component" and got["xml"]["InfoType"] == "component_verify_ticket"
    verify = got["xml"]["ComponentVerifyTicket"]
    assert (
        sim.get("api/state", app_id=COMPONENT["APP_ID"]).json()["component_verify_ticket"] == verify
    )
    body = {
        "component_appid": COMPONENT["APP_ID"],
        "component_appsecret": COMPONENT["APP_SECRET"],
        "component_verify_ticket": verify,
    }
    assert (
        sim.post(
            "cgi-bin/component/api_component_token", body | {"component_verify_ticket": "x"}
        ).json()["errcode"]
        == 61006
    )
    assert (
        sim.post(
            "cgi-bin/component/api_component_token", body | {"component_appsecret": "x"}
        ).json()["errcode"]
        == 40125
    )
    answer = sim.post("cgi-bin/component/api_component_token", body).json()
    assert answer["expires_in"] == 7200
    return str(answer["component_access_token"])


def test_component_authorisation_end_to_end(sim: Sim, browser: Client) -> None:
    token = _component_token(sim)
    me = {"component_appid": COMPONENT["APP_ID"]}
    pre = sim.post(
        "cgi-bin/component/api_create_preauthcode", me, component_access_token=token
    ).json()
    assert pre["expires_in"] == 1800
    login = "/wechat-sim/cgi-bin/componentloginpage"
    query = {
        "component_appid": COMPONENT["APP_ID"],
        "pre_auth_code": pre["pre_auth_code"],
        "redirect_uri": "http://testserver/m/wx/done",
        "auth_type": "1",
    }
    page = browser.get(login, query)
    assert page.status_code == 200 and "茶语小店公众号" in page.content.decode()
    done = browser.post(
        f"{login}?{page.wsgi_request.META['QUERY_STRING']}", {"authorizer_appid": TEA}
    )
    assert done.status_code == 302
    params = parse_qs(urlsplit(done["Location"]).query)
    assert params["expires_in"] == ["3600"]
    code = params["auth_code"][0]
    assert callbacks.received[-1]["xml"]["InfoType"] == "authorized"
    assert browser.get(login, query).status_code == 400  # the pre-auth code is used up
    auth = sim.post(
        "cgi-bin/component/api_query_auth",
        me | {"authorization_code": code},
        component_access_token=token,
    ).json()
    info = auth["authorization_info"]
    assert info["authorizer_appid"] == TEA and info["authorizer_access_token"] and info["func_info"]
    assert (
        sim.post(
            "cgi-bin/component/api_query_auth",
            me | {"authorization_code": code},
            component_access_token=token,
        ).json()["errcode"]
        == 61009
    )
    refreshed = sim.post(
        "cgi-bin/component/api_authorizer_token",
        me
        | {"authorizer_appid": TEA, "authorizer_refresh_token": info["authorizer_refresh_token"]},
        component_access_token=token,
    ).json()
    assert refreshed["authorizer_refresh_token"] == info["authorizer_refresh_token"]
    bad = me | {"authorizer_appid": TEA, "authorizer_refresh_token": "nope"}
    assert (
        sim.post(
            "cgi-bin/component/api_authorizer_token", bad, component_access_token=token
        ).json()["errcode"]
        == 61023
    )
    described = sim.post(
        "cgi-bin/component/api_get_authorizer_info",
        me | {"authorizer_appid": TEA},
        component_access_token=token,
    ).json()
    assert described["authorizer_info"]["user_name"] == "gh_5a0d1e0000d1"
    other = me | {"authorizer_appid": "wx5a0d1e00000002d2"}
    assert (
        sim.post(
            "cgi-bin/component/api_get_authorizer_info", other, component_access_token=token
        ).json()["errcode"]
        == 61003
    )
    assert (
        sim.post("cgi-bin/component/api_create_preauthcode", me, component_access_token="x").json()[
            "errcode"
        ]
        == 40001
    )
    # The authorizer token works on the official-account API, for the merchant's own account.
    qr = {"action_name": "QR_LIMIT_STR_SCENE", "action_info": {"scene": {"scene_str": "S1"}}}
    made = sim.post(
        "cgi-bin/qrcode/create", qr, access_token=refreshed["authorizer_access_token"]
    ).json()
    assert made["ticket"]
    # Its followers' events go to that merchant's own address, encrypted with the component's key.
    user = sim.user()
    result = _pushed(
        sim, {"app_id": TEA, "user_id": user["id"], "event": "subscribe", "scene": "S1"}
    )
    got = callbacks.received[-1]
    assert result["encrypted"] and got["kind"] == "authorizer" and got["app_id"] == TEA
    assert got["xml"]["ToUserName"] == "gh_5a0d1e0000d1" and got["xml"]["Ticket"] == made["ticket"]
