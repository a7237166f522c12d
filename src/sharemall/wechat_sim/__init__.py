"""The WeChat simulator: a built-in stand-in for WeChat's servers (demo, tests, acceptance checks).

On only with ``WECHAT_SANDBOX=1``: config/urls.py mounts it at ``/wechat-sim/`` and settings
point ``WECHAT_API_BASE`` at ``http://sandbox.invalid/wechat-sim`` (answered in process by
core/inprocess.py) and ``WECHAT_OPEN_BASE`` / ``WECHAT_MP_WEB_BASE`` at ``/wechat-sim``. Our
client code is the production code; only base URLs differ. Never import ``sharemall.wechat``
from here (import-linter: the two are siblings that meet only at WeChat's HTTP API).

Apps it knows: ``settings.WECHAT_OA``, ``WECHAT_MP``, ``WECHAT_COMPONENT`` (app id, secret, token,
EncodingAESKey, original id; under the sandbox they default to ``WECHAT_SANDBOX_ACCOUNTS``), plus
two seeded merchant official accounts a component can be authorised for: 茶语小店公众号
``wx5a0d1e00000001d1`` (gh_5a0d1e0000d1) and 果园鲜生公众号 ``wx5a0d1e00000002d2``.

WeChat's paths (after the base; errors are HTTP 200 ``{errcode, errmsg}`` as WeChat answers):

- ``GET cgi-bin/token`` (40013 appid, 40125 secret, 40002 grant_type). A new token replaces
  the app's previous one at once: the old one answers 40001 from then on (WeChat keeps it five
  more minutes; the simulator is stricter so "refresh once and retry" is exercised). Every
  token-taking API: 41001 missing, 40001 invalid/replaced, 42001 expired; 48001 when the app
  kind may not call it (an MP token on bizsend…).
- ``GET cgi-bin/ticket/getticket?type=jsapi`` — the same ticket until it expires.
- ``POST cgi-bin/qrcode/create`` (QR_SCENE, QR_STR_SCENE, QR_LIMIT_SCENE, QR_LIMIT_STR_SCENE;
  40052/40053) → ``{ticket, expire_seconds, url}``; ``url`` opens ``/wechat-sim/q/<ticket>``,
  where a fake user "scans" (follows: subscribe ``qrscene_<scene>``; a follower: SCAN).
  ``GET cgi-bin/showqrcode?ticket=`` → PNG (404 when unknown or expired).
- ``GET cgi-bin/user/info`` (40003 for another app's openid); ``POST
  cgi-bin/message/subscribe/bizsend`` (OA) and ``…/subscribe/send`` (MP): recorded; 43101 when
  the user declined that template.
- ``GET connect/oauth2/authorize`` (page: pick or create a user; 允许 for snsapi_userinfo) →
  ``redirect_uri?code&state``; ``GET sns/oauth2/access_token`` (code single use, 5 minutes:
  40029 unknown/expired, 40163 used), ``sns/oauth2/refresh_token``, ``sns/userinfo`` (48001 for
  snsapi_base), ``sns/auth``.
- ``GET sns/jscode2session`` (40029 / 40163), ``POST wxa/business/getuserphonenumber``,
  ``POST wxa/getwxacodeunlimit`` → PNG (40169 for a scene over 32 characters or bad marks).
- ``POST cgi-bin/component/api_component_token`` (61006 without the latest verify ticket),
  ``api_create_preauthcode``, ``api_query_auth`` (61009/61010), ``api_authorizer_token``
  (61023), ``api_get_authorizer_info`` (61003); page ``GET cgi-bin/componentloginpage`` → pick
  a merchant account → ``redirect_uri?auth_code&expires_in=3600`` (and an ``authorized`` notice
  to the component callback). Authorizer tokens work on the official-account API above.

Pushes (push.py; ``push_event()``, ``push_component_ticket()``): XML as WeChat sends it,
``signature=sha1(sorted(token, timestamp, nonce))`` and ``openid`` on the query; in safe mode
(an AES key set) the body is ``<xml><ToUserName/><Encrypt/></xml>`` made with wechatpy's
WeChatCrypto and the query adds ``encrypt_type=aes&msg_signature``. Addresses: the platform OA
→ ``http://sandbox.invalid/api/v1/wechat/oa/callback``; a merchant account →
``…/api/v1/wechat/component/events/<authorizer_appid>`` (component token/key/app id); the
component's verify ticket and notices → ``…/api/v1/wechat/component/callback``. The server's
status and answer (decrypted) are kept in ``Push`` and returned.

Helpers for tests and checkers (JSON; errors 4xx ``{error: {code, message}}``):

- ``POST /wechat-sim/api/users {nickname?, phone?}`` → 201 ``{id, nickname, phone, unionid,
  openids: {app_id: openid}, following, avatar_url, declined_templates}``; ``GET`` lists them.
- ``POST /wechat-sim/api/users/<id>/templates {template_id, accept}`` — the 43101 switch.
- ``POST /wechat-sim/api/mp-login-code {user_id?}`` → ``{code, user_id, openid, unionid}`` (what
  wx.login gives; a new user when none is named). A checker logs in with it:
  ``POST /api/v1/wechat/mp/login {code}``.
- ``POST /wechat-sim/api/phone-code {user_id}`` → ``{code, phone}`` for getuserphonenumber.
- ``GET /wechat-sim/api/messages?openid=`` — subscribe messages sent.
- ``GET /wechat-sim/api/state?app_id=`` (default: the OA) → current ``access_token`` and
  ``jsapi_ticket`` (and ``component_verify_ticket`` for the component), to verify a JS-SDK
  signature.
- ``POST /wechat-sim/api/push {app_id?, user_id | openid, event, scene?, content?}`` (event:
  subscribe, SCAN, unsubscribe, text) and ``POST /wechat-sim/api/component-ticket`` → the
  delivery: ``{url, sent, encrypted, status, answer, answer_plaintext, error}``.

``/wechat-sim/`` is the index page (Chinese first) with forms for all of the above.
"""
