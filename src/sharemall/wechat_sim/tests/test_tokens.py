from datetime import timedelta

from django.utils import timezone

from sharemall.wechat_sim.models import IssuedToken
from sharemall.wechat_sim.tests.conftest import MP, OA, Sim


def test_token_answers_token_and_lifetime(sim: Sim) -> None:
    answer = sim.get(
        "cgi-bin/token", grant_type="client_credential", appid=OA["APP_ID"], secret=OA["APP_SECRET"]
    ).json()
    assert set(answer) == {"access_token", "expires_in"}
    assert answer["expires_in"] == 7200
    assert len(answer["access_token"]) > 100


def test_token_refuses_bad_credentials_as_wechat(sim: Sim) -> None:
    def errcode(**params: str) -> int:
        return int(sim.get("cgi-bin/token", **params).json()["errcode"])

    good = {"grant_type": "client_credential", "appid": OA["APP_ID"], "secret": OA["APP_SECRET"]}
    assert errcode(**(good | {"secret": "wrong"})) == 40125
    assert errcode(**(good | {"appid": "wx0000000000000000"})) == 40013
    assert errcode(**(good | {"grant_type": "password"})) == 40002
    assert errcode(**{k: v for k, v in good.items() if k != "appid"}) == 41002
    assert errcode(**{k: v for k, v in good.items() if k != "secret"}) == 41004


def test_a_new_token_invalidates_the_previous_one(sim: Sim) -> None:
    first = sim.token()
    assert (
        sim.get("cgi-bin/ticket/getticket", access_token=first, type="jsapi").json()["errcode"] == 0
    )
    second = sim.token()
    stale = sim.get("cgi-bin/ticket/getticket", access_token=first, type="jsapi").json()
    assert stale["errcode"] == 40001
    assert stale["errmsg"].startswith("invalid credential")
    assert (
        sim.get("cgi-bin/ticket/getticket", access_token=second, type="jsapi").json()["errcode"]
        == 0
    )
    # Each app has its own token: the mini-program's does not touch the account's.
    sim.token(MP)
    assert sim.get("cgi-bin/ticket/getticket", access_token=second).json()["errcode"] == 0


def test_expired_and_missing_tokens(sim: Sim) -> None:
    token = sim.token()
    IssuedToken.objects.filter(token=token).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert sim.get("cgi-bin/ticket/getticket", access_token=token).json()["errcode"] == 42001
    assert sim.get("cgi-bin/ticket/getticket").json()["errcode"] == 41001
    assert sim.get("cgi-bin/ticket/getticket", access_token="nonsense").json()["errcode"] == 40001


def test_jsapi_ticket_is_stable_until_it_expires_and_state_shows_it(sim: Sim) -> None:
    token = sim.token()
    one = sim.get("cgi-bin/ticket/getticket", access_token=token, type="jsapi").json()
    assert one["errmsg"] == "ok" and 7190 < one["expires_in"] <= 7200
    again = sim.get("cgi-bin/ticket/getticket", access_token=sim.token(), type="jsapi").json()
    assert again["ticket"] == one["ticket"]
    state = sim.get("api/state", app_id=OA["APP_ID"]).json()
    assert state["jsapi_ticket"] == one["ticket"]
    assert state["access_token"] != token  # the second token replaced it
    IssuedToken.objects.filter(token=one["ticket"]).update(expires_at=timezone.now())
    fresh = sim.get("cgi-bin/ticket/getticket", access_token=state["access_token"]).json()
    assert fresh["ticket"] != one["ticket"]


def test_wrong_method_and_unknown_app_state(sim: Sim) -> None:
    assert sim.post("cgi-bin/token").json()["errcode"] == 43001
    assert sim.get("cgi-bin/qrcode/create", access_token=sim.token()).json()["errcode"] == 43002
    assert sim.get("api/state", app_id="wxnothing").status_code == 404
    assert sim.get("api/state").json()["app_id"] == OA["APP_ID"]
