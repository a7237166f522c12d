"""WeChat's wire rules as the simulator applies them: error codes, limits, identifiers, the XML
of event pushes and the signature over them. Pure: no Django, so every rule is testable alone."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import string
from dataclasses import dataclass

# Lifetimes, in seconds, as WeChat documents them.
ACCESS_TOKEN_TTL = 7200
JSAPI_TICKET_TTL = 7200
OAUTH_CODE_TTL = 300
LOGIN_CODE_TTL = 300
PHONE_CODE_TTL = 300
PRE_AUTH_CODE_TTL = 1800
AUTH_CODE_TTL = 3600
VERIFY_TICKET_TTL = 12 * 3600
QR_DEFAULT_EXPIRE = 60
QR_MAX_EXPIRE = 30 * 24 * 3600

QR_ACTIONS = frozenset({"QR_SCENE", "QR_STR_SCENE", "QR_LIMIT_SCENE", "QR_LIMIT_STR_SCENE"})
QR_SCENE_STR_MAX = 64
QR_LIMIT_SCENE_ID_MAX = 100_000
WXACODE_SCENE_MAX = 32
# getwxacodeunlimit's scene: letters, digits and these marks only.
_WXACODE_SCENE = re.compile(r"^[A-Za-z0-9!#$&'()*+,/:;=?@\-._~]+$")

OAUTH_SCOPES = frozenset({"snsapi_base", "snsapi_userinfo"})
PUSH_EVENTS = ("subscribe", "SCAN", "unsubscribe", "text")

AVATAR_COLOURS = ("#07c160", "#10aeff", "#fa9d3b", "#fa5151", "#6467f0", "#1485ee", "#576b95")


@dataclass(frozen=True)
class Err:
    errcode: int
    errmsg: str


class WeChatError(Exception):
    """An answer WeChat gives as `{errcode, errmsg}` (with HTTP 200, as WeChat does)."""

    def __init__(self, err: Err) -> None:
        super().__init__(f"{err.errcode} {err.errmsg}")
        self.errcode = err.errcode
        self.errmsg = err.errmsg


# WeChat's own codes and messages (developers.weixin.qq.com global return codes).
SYSTEM_BUSY = Err(-1, "system error")
INVALID_CREDENTIAL = Err(40001, "invalid credential, access_token is invalid or not latest")
INVALID_GRANT_TYPE = Err(40002, "invalid grant_type")
INVALID_OPENID = Err(40003, "invalid openid")
INVALID_APPID = Err(40013, "invalid appid")
INVALID_CODE = Err(40029, "invalid code")
INVALID_TEMPLATE_ID = Err(40037, "invalid template_id")
INVALID_ACTION_NAME = Err(40052, "invalid action name")
INVALID_ACTION_INFO = Err(40053, "invalid action info, please check document")
INVALID_ARGS = Err(40097, "invalid args")
INVALID_APPSECRET = Err(40125, "invalid appsecret")
CODE_USED = Err(40163, "code been used")
INVALID_SCENE = Err(40169, "invalid length for scene, or the data is not json string")
MISSING_ACCESS_TOKEN = Err(41001, "access_token missing")
MISSING_APPID = Err(41002, "appid missing")
MISSING_SECRET = Err(41004, "appsecret missing")
MISSING_CODE = Err(41008, "missing code")
MISSING_OPENID = Err(41009, "missing openid")
EXPIRED_ACCESS_TOKEN = Err(42001, "access_token expired")
EXPIRED_REFRESH_TOKEN = Err(42002, "refresh_token expired")
REQUIRE_GET = Err(43001, "require GET method")
REQUIRE_POST = Err(43002, "require POST method")
USER_REFUSED = Err(43101, "user refuse to accept the msg")
EMPTY_POST = Err(44002, "empty post data")
DATA_FORMAT = Err(47001, "data format error")
API_UNAUTHORIZED = Err(48001, "api unauthorized")
NOT_AUTHORIZED = Err(61003, "component is not authorized by this account")
INVALID_VERIFY_TICKET = Err(61006, "component ticket is invalid")
AUTH_CODE_INVALID = Err(61009, "code is invalid")
AUTH_CODE_EXPIRED = Err(61010, "code is expired")
INVALID_REFRESH_TOKEN = Err(61023, "refresh_token is invalid")


def with_rid(errmsg: str) -> str:
    """WeChat appends a request id to every error message; clients must not parse errmsg."""
    return f"{errmsg} rid: {secrets.token_hex(4)}-{secrets.token_hex(4)}-{secrets.token_hex(4)}"


# Identifiers shaped like WeChat's: an openid or unionid is 28 characters of [A-Za-z0-9_-].
_ID_ALPHABET = string.ascii_letters + string.digits + "_-"


def _random(length: int, alphabet: str = _ID_ALPHABET) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def new_openid() -> str:
    return "o" + _random(27)


def new_unionid() -> str:
    return "o" + _random(27)


def new_token() -> str:
    """An access token: WeChat's run past 130 characters; clients must store at least 512."""
    return _random(136)


def new_ticket() -> str:
    return _random(86)


def new_code() -> str:
    return _random(32, string.ascii_letters + string.digits)


def new_session_key() -> str:
    """16 random bytes in base64, as WeChat's."""
    return base64.b64encode(secrets.token_bytes(16)).decode()


def new_phone() -> str:
    return "1380013" + _random(4, string.digits)


def new_nonce() -> str:
    return _random(10, string.digits)


# ---- QR codes and mini-program codes ------------------------------------------------------


@dataclass(frozen=True)
class QrRequest:
    action_name: str
    scene: str
    expire_seconds: int | None  # None: a permanent (QR_LIMIT_…) code


def parse_qr_request(body: object) -> QrRequest:
    """Checks a `qrcode/create` body as WeChat does; the scene is kept as text either way."""
    if not isinstance(body, dict):
        raise WeChatError(DATA_FORMAT)
    action = body.get("action_name")
    if action not in QR_ACTIONS:
        raise WeChatError(INVALID_ACTION_NAME)
    info = body.get("action_info")
    scene = info.get("scene") if isinstance(info, dict) else None
    if not isinstance(scene, dict):
        raise WeChatError(INVALID_ACTION_INFO)
    if action.endswith("STR_SCENE"):
        value = scene.get("scene_str")
        if not isinstance(value, str) or not 1 <= len(value) <= QR_SCENE_STR_MAX:
            raise WeChatError(INVALID_ACTION_INFO)
        text = value
    else:
        number = scene.get("scene_id")
        top = QR_LIMIT_SCENE_ID_MAX if action == "QR_LIMIT_SCENE" else 2**32 - 1
        if isinstance(number, bool) or not isinstance(number, int) or not 0 < number <= top:
            raise WeChatError(INVALID_ACTION_INFO)
        text = str(number)
    if action.startswith("QR_LIMIT"):
        return QrRequest(action, text, None)
    expire = body.get("expire_seconds", QR_DEFAULT_EXPIRE)
    if isinstance(expire, bool) or not isinstance(expire, int) or expire <= 0:
        raise WeChatError(INVALID_ARGS)
    return QrRequest(action, text, min(expire, QR_MAX_EXPIRE))


def check_wxacode_scene(scene: object) -> str:
    if not isinstance(scene, str) or not 0 < len(scene) <= WXACODE_SCENE_MAX:
        raise WeChatError(INVALID_SCENE)
    if not _WXACODE_SCENE.match(scene):
        raise WeChatError(INVALID_SCENE)
    return scene


# ---- pushes ---------------------------------------------------------------------------------


def signature(token: str, timestamp: str, nonce: str, *extra: str) -> str:
    """WeChat's callback signature: sha1 over the sorted strings, joined."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, *extra])).encode()).hexdigest()  # noqa: S324 — WeChat's algorithm


def _cdata(value: str) -> str:
    # A "]]>" inside would end the section early: split it across two sections.
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _xml(fields: list[tuple[str, str | int]]) -> str:
    inner = "".join(
        f"<{name}>{value if isinstance(value, int) else _cdata(value)}</{name}>"
        for name, value in fields
    )
    return f"<xml>{inner}</xml>"


def event_xml(
    *,
    to_user: str,
    from_user: str,
    create_time: int,
    event: str,
    event_key: str | None = None,
    ticket: str | None = None,
) -> str:
    """An event message, field for field as WeChat posts it to an account's server URL."""
    fields: list[tuple[str, str | int]] = [
        ("ToUserName", to_user),
        ("FromUserName", from_user),
        ("CreateTime", create_time),
        ("MsgType", "event"),
        ("Event", event),
    ]
    if event_key is not None:
        fields.append(("EventKey", event_key))
    if ticket is not None:
        fields.append(("Ticket", ticket))
    return _xml(fields)


def text_xml(*, to_user: str, from_user: str, create_time: int, content: str, msg_id: int) -> str:
    return _xml(
        [
            ("ToUserName", to_user),
            ("FromUserName", from_user),
            ("CreateTime", create_time),
            ("MsgType", "text"),
            ("Content", content),
            ("MsgId", msg_id),
        ]
    )


def verify_ticket_xml(*, component_app_id: str, create_time: int, ticket: str) -> str:
    return _xml(
        [
            ("AppId", component_app_id),
            ("CreateTime", create_time),
            ("InfoType", "component_verify_ticket"),
            ("ComponentVerifyTicket", ticket),
        ]
    )


def authorized_xml(
    *,
    component_app_id: str,
    create_time: int,
    authorizer_app_id: str,
    auth_code: str,
    expires_at: int,
    pre_auth_code: str,
) -> str:
    return _xml(
        [
            ("AppId", component_app_id),
            ("CreateTime", create_time),
            ("InfoType", "authorized"),
            ("AuthorizerAppid", authorizer_app_id),
            ("AuthorizationCode", auth_code),
            ("AuthorizationCodeExpiredTime", expires_at),
            ("PreAuthCode", pre_auth_code),
        ]
    )


def encrypted_envelope(*, head: tuple[str, str], encrypt: str) -> str:
    """Safe mode's body: the addressee in clear (ToUserName, or AppId for a component) and the
    ciphertext."""
    return _xml([head, ("Encrypt", encrypt)])


def subscribe_event_key(scene: str | None, *, following: bool) -> tuple[str, str | None]:
    """(Event, EventKey) for a QR scan: a new follower subscribes with `qrscene_<scene>`, a
    follower scans with the bare scene; without a scene it is a plain subscribe."""
    if scene is None:
        return ("subscribe", None)
    if following:
        return ("SCAN", scene)
    return ("subscribe", f"qrscene_{scene}")
