from datetime import timedelta

from django.utils import timezone

from sharemall.wechat_sim.models import QrTicket
from sharemall.wechat_sim.tests.conftest import MP, OA, Sim


def _qr(sim: Sim, token: str, body: object) -> dict[str, object]:
    return dict(sim.post("cgi-bin/qrcode/create", body, access_token=token).json())


def test_qrcode_create_for_each_action(sim: Sim) -> None:
    token = sim.token()
    temp = _qr(
        sim,
        token,
        {
            "expire_seconds": 600,
            "action_name": "QR_STR_SCENE",
            "action_info": {"scene": {"scene_str": "s" * 64}},
        },
    )
    assert temp["expire_seconds"] == 600 and str(temp["url"]).startswith(
        "http://testserver/wechat-sim/q/"
    )
    permanent = _qr(
        sim,
        token,
        {"action_name": "QR_LIMIT_STR_SCENE", "action_info": {"scene": {"scene_str": "abc"}}},
    )
    assert "expire_seconds" not in permanent and permanent["ticket"]
    numeric = _qr(
        sim, token, {"action_name": "QR_SCENE", "action_info": {"scene": {"scene_id": 42}}}
    )
    assert numeric["expire_seconds"] == 60
    assert QrTicket.objects.get(ticket=numeric["ticket"]).scene == "42"


def test_qrcode_create_refuses_bad_bodies(sim: Sim) -> None:
    token = sim.token()
    long_scene = {"action_name": "QR_STR_SCENE", "action_info": {"scene": {"scene_str": "s" * 65}}}
    assert _qr(sim, token, long_scene)["errcode"] == 40053
    assert _qr(sim, token, {"action_name": "QR_ANY"})["errcode"] == 40052
    zero = {"action_name": "QR_LIMIT_SCENE", "action_info": {"scene": {"scene_id": 100001}}}
    assert _qr(sim, token, zero)["errcode"] == 40053
    assert (
        sim.http.post(
            "http://sandbox.invalid/wechat-sim/cgi-bin/qrcode/create",
            params={"access_token": token},
            data=b"{no",
        ).json()["errcode"]
        == 47001
    )
    # A mini-program may not make official-account QR codes.
    assert _qr(sim, sim.token(MP), long_scene)["errcode"] == 48001


def test_showqrcode_is_a_png_while_the_ticket_lives(sim: Sim) -> None:
    body = {"action_name": "QR_STR_SCENE", "action_info": {"scene": {"scene_str": "x"}}}
    ticket = str(_qr(sim, sim.token(), body)["ticket"])
    image = sim.get("cgi-bin/showqrcode", ticket=ticket)
    assert image.status_code == 200 and image.headers["Content-Type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")
    QrTicket.objects.filter(ticket=ticket).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert sim.get("cgi-bin/showqrcode", ticket=ticket).status_code == 404
    assert sim.get("cgi-bin/showqrcode", ticket="nope").status_code == 404


def test_user_info_before_and_after_following(sim: Sim) -> None:
    user = sim.user(nickname="阿杰")
    openid = user["openids"][OA["APP_ID"]]
    token = sim.token()
    before = sim.get("cgi-bin/user/info", access_token=token, openid=openid, lang="zh_CN").json()
    assert before == {"subscribe": 0, "openid": openid, "unionid": user["unionid"]}
    pushed = sim.post("api/push", {"user_id": user["id"], "event": "subscribe", "scene": "SHARE1"})
    assert pushed.status_code == 200, pushed.text
    after = sim.get("cgi-bin/user/info", access_token=token, openid=openid).json()
    assert after["subscribe"] == 1 and after["nickname"] == "阿杰"
    assert after["subscribe_scene"] == "ADD_SCENE_QR_CODE" and after["qr_scene_str"] == "SHARE1"
    assert after["headimgurl"].endswith(".svg")
    mp_openid = user["openids"][MP["APP_ID"]]
    assert (
        sim.get("cgi-bin/user/info", access_token=token, openid=mp_openid).json()["errcode"]
        == 40003
    )
    assert sim.get("cgi-bin/user/info", access_token=token).json()["errcode"] == 41009


def test_subscribe_messages_are_recorded_and_refusals_answer_43101(sim: Sim) -> None:
    user = sim.user()
    openid = user["openids"][OA["APP_ID"]]
    message = {
        "touser": openid,
        "template_id": "TPL-ORDER",
        "page": "/orders/1",
        "data": {"thing1": {"value": "已发货"}},
    }
    answer = sim.post("cgi-bin/message/subscribe/bizsend", message, access_token=sim.token()).json()
    assert answer["errcode"] == 0 and answer["errmsg"] == "ok"
    listed = sim.get("api/messages", openid=openid).json()["messages"]
    assert [(m["api"], m["template_id"], m["data"]) for m in listed] == [
        ("bizsend", "TPL-ORDER", {"thing1": {"value": "已发货"}})
    ]
    refused = sim.post(
        f"api/users/{user['id']}/templates", {"template_id": "TPL-ORDER", "accept": False}
    )
    assert refused.json()["declined_templates"] == ["TPL-ORDER"]
    again = sim.post("cgi-bin/message/subscribe/bizsend", message, access_token=sim.token()).json()
    assert again["errcode"] == 43101
    assert (
        sim.post(
            "cgi-bin/message/subscribe/bizsend",
            message | {"template_id": ""},
            access_token=sim.token(),
        ).json()["errcode"]
        == 40037
    )
    # The mini-program sends to its own openid through subscribe/send.
    mp_message = message | {"touser": user["openids"][MP["APP_ID"]], "template_id": "TPL-MP"}
    mp_token = sim.token(MP)
    assert (
        sim.post("cgi-bin/message/subscribe/send", mp_message, access_token=mp_token).json()[
            "errcode"
        ]
        == 0
    )
    assert (
        sim.post("cgi-bin/message/subscribe/send", message, access_token=mp_token).json()["errcode"]
        == 40003
    )
    assert (
        sim.post("cgi-bin/message/subscribe/send", mp_message, access_token=sim.token()).json()[
            "errcode"
        ]
        == 48001
    )
