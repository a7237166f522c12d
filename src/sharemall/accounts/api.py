from django.http import HttpRequest
from ninja import Router, Status

from sharemall.accounts import services
from sharemall.accounts.auth import member_auth, require_member
from sharemall.accounts.schemas import (
    DistributorOut,
    LoginIn,
    LoginOut,
    MeOut,
    PasswordResetIn,
    PasswordResetOut,
    SmsCodeIn,
    SmsCodeOut,
)
from sharemall.core.devices import device_of
from sharemall.core.http import client_address

router = Router(tags=["accounts"])


@router.post("/auth/login", response=LoginOut, auth=None)
def login(request: HttpRequest, payload: LoginIn) -> dict[str, object]:
    member = services.member_login(
        phone=payload.phone,
        password=payload.password,
        address=client_address(request),
        device=device_of(request),
    )
    return {"id": member.pk, "token": services.token_issue(member, label="login")}


@router.post("/auth/logout", response={204: None}, auth=member_auth)
def logout(request: HttpRequest) -> Status[None]:
    """Revokes the bearer token the request was made with."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        services.token_revoke(header[7:].strip())
    return Status(204, None)


@router.post("/auth/logout-everywhere", response={204: None}, auth=member_auth)
def logout_everywhere(request: HttpRequest) -> Status[None]:
    services.tokens_revoke_all(require_member(request))
    return Status(204, None)


@router.get("/me", response=MeOut, auth=member_auth)
def me(request: HttpRequest) -> object:
    return require_member(request)


@router.post("/me/distributor", response=DistributorOut, auth=member_auth)
def enable_distribution(request: HttpRequest) -> object:
    return services.distributor_enable(require_member(request))


@router.post("/auth/sms-code", response={202: SmsCodeOut}, auth=None)
def sms_code(request: HttpRequest, payload: SmsCodeIn) -> Status[dict[str, int]]:
    """Text a 6-digit code for `purpose` (good for 5 minutes, 5 guesses, one use). Answered
    alike whether or not the number has an account; again within 60 s → 429 `too_soon` with
    `retry_after` (seconds) in the details."""
    issued = services.sms_code_request(
        phone=payload.phone, purpose=payload.purpose, address=client_address(request)
    )
    return Status(202, {"resend_after": issued.resend_after, "expires_in": issued.expires_in})


@router.post("/auth/password-reset", response=PasswordResetOut, auth=None)
def password_reset(request: HttpRequest, payload: PasswordResetIn) -> dict[str, bool]:
    """Set a new password with a `reset_password` code; every token of the member is revoked
    and its page sessions end. A wrong, used or expired code → 400 `invalid_code`."""
    services.password_reset(
        phone=payload.phone,
        sms_code=payload.sms_code,
        new_password=payload.new_password,
        address=client_address(request),
    )
    return {"reset": True}
