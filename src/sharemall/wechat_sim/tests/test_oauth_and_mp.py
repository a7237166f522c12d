from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from django.test import Client
from django.utils import timezone

from sharemall.wechat_sim.models import IssuedCode
from sharemall.wechat_sim.tests.conftest import MP, OA, Sim

AUTHORIZE = "/wechat-sim/connect/oauth2/authorize"


def _authorize(browser: Client, scope: str, **post: str) -> str:
    query = {
        "appid": OA["APP_ID"],
        "redirect_uri": "http://testserver/wechat/oauth/done?next=/p/1",
        "response_type": "code",
        "scope": scope,
        "state": "xyz",
    }
    page = browser.get(AUTHORIZE, query)
    assert page.status_code == 200
    answer = browser.post(f"{AUTHORIZE}?{page.wsgi_request.META['QUERY_STRING']}", post)
    assert answer.status_code == 302
    target = urlsplit(answer["Location"])
    params = parse_qs(target.query)
    assert target.path == "/wechat/oauth/done" and params["next"] == ["/p/1"]
    assert params["state"] == ["xyz"]
    return params["code"][0]


def _exchange(sim: Sim, code: str) -> dict[str, object]:
    return dict(
        sim.get(
            "sns/oauth2/access_token",
            appid=OA["APP_ID"],
            secret=OA["APP_SECRET"],
            code=code,
            grant_type="authorization_code",
        ).json()
    )


def test_userinfo_oauth_from_sheet_to_profile(sim: Sim, browser: Client) -> None:
    page = browser.get(
        AUTHORIZE,
        {
            "appid": OA["APP_ID"],
            "redirect_uri": "http://testserver/cb",
            "response_type": "code",
            "scope": "snsapi_userinfo",
        },
    )
    assert "允许" in page.content.decode()
    code = _authorize(browser, "snsapi_userinfo", nickname="晓燕")
    token = _exchange(sim, code)
    assert set(token) == {
        "access_token",
        "expires_in",
        "refresh_token",
        "openid",
        "scope",
        "unionid",
    }
    assert token["scope"] == "snsapi_userinfo"
    profile = sim.get(
        "sns/userinfo", access_token=token["access_token"], openid=token["openid"], lang="zh_CN"
    ).json()
    assert profile["nickname"] == "晓燕" and profile["unionid"] == token["unionid"]
    assert (
        sim.get("sns/auth", access_token=token["access_token"], openid=token["openid"]).json()[
            "errcode"
        ]
        == 0
    )
    refreshed = sim.get(
        "sns/oauth2/refresh_token",
        appid=OA["APP_ID"],
        grant_type="refresh_token",
        refresh_token=token["refresh_token"],
    ).json()
    assert (
        refreshed["openid"] == token["openid"]
        and refreshed["access_token"] != token["access_token"]
    )
    # The old sns token was replaced by the refresh.
    assert (
        sim.get("sns/userinfo", access_token=token["access_token"], openid=token["openid"]).json()[
            "errcode"
        ]
        == 40001
    )


def test_oauth_code_is_single_use_and_lives_five_minutes(sim: Sim, browser: Client) -> None:
    user = sim.user(nickname="老张")
    code = _authorize(browser, "snsapi_base", user_id=str(user["id"]))
    token = _exchange(sim, code)
    assert token["openid"] == user["openids"][OA["APP_ID"]] and token["scope"] == "snsapi_base"
    assert _exchange(sim, code)["errcode"] == 40163
    assert _exchange(sim, "unknown")["errcode"] == 40029
    late = _authorize(browser, "snsapi_base", user_id=str(user["id"]))
    IssuedCode.objects.filter(code=late).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _exchange(sim, late)["errcode"] == 40029
    # snsapi_base gives no profile.
    assert (
        sim.get("sns/userinfo", access_token=token["access_token"], openid=token["openid"]).json()[
            "errcode"
        ]
        == 48001
    )
    wrong_secret = sim.get(
        "sns/oauth2/access_token",
        appid=OA["APP_ID"],
        secret="x",
        code=code,
        grant_type="authorization_code",
    ).json()
    assert wrong_secret["errcode"] == 40125


def test_authorize_refuses_bad_requests_with_a_page(browser: Client) -> None:
    good = {
        "appid": OA["APP_ID"],
        "redirect_uri": "http://testserver/cb",
        "response_type": "code",
        "scope": "snsapi_base",
    }
    for bad in (
        {"appid": "wxunknown"},
        {"scope": "snsapi_login"},
        {"redirect_uri": "javascript:alert(1)"},
        {"response_type": "token"},
    ):
        assert browser.get(AUTHORIZE, good | bad).status_code == 400
    assert (
        browser.post(
            f"{AUTHORIZE}?appid={OA['APP_ID']}&redirect_uri=/cb&response_type=code&scope=snsapi_base",
            {},
        ).status_code
        == 400
    )


def test_jscode2session_with_a_login_code(sim: Sim) -> None:
    made = sim.post("api/mp-login-code", {})
    assert made.status_code == 201
    login = made.json()

    def session(code: str) -> dict[str, object]:
        return dict(
            sim.get(
                "sns/jscode2session",
                appid=MP["APP_ID"],
                secret=MP["APP_SECRET"],
                js_code=code,
                grant_type="authorization_code",
            ).json()
        )

    answer = session(login["code"])
    assert answer["openid"] == login["openid"] and answer["unionid"] == login["unionid"]
    assert len(str(answer["session_key"])) == 24
    assert session(login["code"])["errcode"] == 40163
    assert session("bogus")["errcode"] == 40029
    # The same user logs in again with a new code and gets the same openid.
    again = sim.post("api/mp-login-code", {"user_id": login["user_id"]}).json()
    assert session(again["code"])["openid"] == login["openid"]
    assert sim.post("api/mp-login-code", {"user_id": 999999}).status_code == 404
    # An official account's credentials do not open mini-program sessions.
    assert (
        sim.get(
            "sns/jscode2session",
            appid=OA["APP_ID"],
            secret=OA["APP_SECRET"],
            js_code="x",
            grant_type="authorization_code",
        ).json()["errcode"]
        == 40013
    )


def test_phone_number_from_a_phone_code(sim: Sim) -> None:
    user = sim.user(phone="13900001111")
    code = sim.post("api/phone-code", {"user_id": user["id"]}).json()["code"]
    token = sim.token(MP)
    answer = sim.post("wxa/business/getuserphonenumber", {"code": code}, access_token=token).json()
    assert answer["errcode"] == 0 and answer["errmsg"] == "ok"
    info = answer["phone_info"]
    assert info["phoneNumber"] == info["purePhoneNumber"] == "13900001111"
    assert info["countryCode"] == "86" and info["watermark"]["appid"] == MP["APP_ID"]
    assert (
        sim.post("wxa/business/getuserphonenumber", {"code": code}, access_token=token).json()[
            "errcode"
        ]
        == 40163
    )
    assert (
        sim.post("wxa/business/getuserphonenumber", {"code": "x"}, access_token=token).json()[
            "errcode"
        ]
        == 40029
    )
    assert sim.post("api/phone-code", {}).status_code == 404


def test_wxacode_unlimit_is_a_png_and_checks_the_scene(sim: Sim) -> None:
    token = sim.token(MP)
    image = sim.post(
        "wxa/getwxacodeunlimit",
        {"scene": "s=AbC123", "page": "pages/land/index", "width": 280},
        access_token=token,
    )
    assert image.headers["Content-Type"] == "image/png" and image.content.startswith(b"\x89PNG")
    too_long = sim.post("wxa/getwxacodeunlimit", {"scene": "a" * 33}, access_token=token).json()
    assert too_long["errcode"] == 40169
    assert (
        sim.post("wxa/getwxacodeunlimit", {"scene": "中文"}, access_token=token).json()["errcode"]
        == 40169
    )
    assert (
        sim.post("wxa/getwxacodeunlimit", {"scene": "a"}, access_token="stale").json()["errcode"]
        == 40001
    )
