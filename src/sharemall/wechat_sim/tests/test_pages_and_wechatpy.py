"""The pages render in Chinese; and wechatpy itself, pointed at the simulator, works unchanged."""

from typing import Any

from django.test import Client
from wechatpy import WeChatClient
from wechatpy.client.api import WeChatWxa

from sharemall.core import inprocess
from sharemall.wechat_sim.tests import urls as callbacks
from sharemall.wechat_sim.tests.conftest import BASE, MP, OA, Sim


def test_index_renders_in_chinese_and_its_forms_work(browser: Client, sim: Sim) -> None:
    page = browser.get("/wechat-sim/")
    html = page.content.decode()
    assert page.status_code == 200 and "微信模拟器" in html and "茶语小店公众号" in html
    made = browser.post("/wechat-sim/", {"action": "create_user", "nickname": "丽丽"})
    assert made.status_code == 200 and "已新建用户" in made.content.decode()
    user_id = sim.get("api/users").json()["users"][0]["id"]
    code = browser.post("/wechat-sim/", {"action": "mp_login_code", "user_id": user_id})
    assert "wx.login" in code.content.decode()
    pushed = browser.post(
        "/wechat-sim/",
        {"action": "push", "app_id": OA["APP_ID"], "user_id": user_id, "event": "subscribe"},
    )
    assert "已推送" in pushed.content.decode() and callbacks.received
    refused = browser.post("/wechat-sim/", {"action": "push", "user_id": user_id, "event": "nope"})
    assert "已拒绝" in refused.content.decode()
    ticket = browser.post("/wechat-sim/", {"action": "component_ticket"})
    assert (
        callbacks.received[-1]["xml"]["InfoType"] == "component_verify_ticket"
        and ticket.status_code == 200
    )
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/wechat-sim/")
    assert "WeChat simulator" in english.content.decode()


def test_scan_page_follows_the_account(browser: Client, sim: Sim) -> None:
    qr = {"action_name": "QR_LIMIT_STR_SCENE", "action_info": {"scene": {"scene_str": "SC1"}}}
    made = sim.post("cgi-bin/qrcode/create", qr, access_token=sim.token()).json()
    path = made["url"].removeprefix("http://testserver")
    assert "SC1" in browser.get(path).content.decode()
    done = browser.post(path, {"nickname": "大伟"})
    assert done.status_code == 200 and callbacks.received[-1]["xml"]["EventKey"] == "qrscene_SC1"
    assert browser.get("/wechat-sim/q/unknown").status_code == 404
    avatar = browser.get(
        sim.get("api/users").json()["users"][0]["avatar_url"].removeprefix("http://testserver")
    )
    assert avatar["Content-Type"] == "image/svg+xml"


class SimClient(WeChatClient):  # type: ignore[misc]
    """wechatpy's client with only the base URL changed (its token URL is written out in full)."""

    def fetch_access_token(self) -> dict[str, Any]:
        return dict(
            self._fetch_access_token(
                url=f"{BASE}/cgi-bin/token",
                params={
                    "grant_type": "client_credential",
                    "appid": self.appid,
                    "secret": self.secret,
                },
            )
        )


def _client(app: dict[str, str]) -> WeChatClient:
    client = SimClient(app["APP_ID"], app["APP_SECRET"])
    client.API_BASE_URL = f"{BASE}/cgi-bin/"
    client._http = inprocess.session()
    return client


def test_wechatpy_client_refreshes_once_after_rotation(sim: Sim) -> None:
    client = _client(OA)
    ticket = client.jsapi.get_jsapi_ticket()
    assert ticket
    sim.token()  # someone else refreshed: the client's token is now stale (40001)
    made: dict[str, Any] = client.qrcode.create(
        {"action_name": "QR_LIMIT_STR_SCENE", "action_info": {"scene": {"scene_str": "abc"}}}
    )
    assert made["ticket"]
    user = sim.user(nickname="小芳")
    sim.post("api/push", {"user_id": user["id"], "event": "subscribe"})
    info = client.user.get(user["openids"][OA["APP_ID"]])
    assert info["subscribe"] == 1 and info["nickname"] == "小芳"


def test_wechatpy_mini_program_calls(sim: Sim) -> None:
    client = _client(MP)
    client.wxa.API_BASE_URL = f"{BASE}/"
    assert isinstance(client.wxa, WeChatWxa)
    login = sim.post("api/mp-login-code", {}).json()
    session = client.wxa.code_to_session(login["code"])
    assert session["openid"] == login["openid"]
    png = client.wxa.get_wxa_code_unlimited("s=1")
    assert png.content.startswith(b"\x89PNG")
