from django.http import HttpRequest
from ninja import Router, Status

from sharemall.accounts import services
from sharemall.accounts.auth import member_auth, require_member
from sharemall.accounts.schemas import (
    DistributorOut,
    LoginIn,
    LoginOut,
    MeOut,
)
from sharemall.core.http import client_address

router = Router(tags=["accounts"])


@router.post("/auth/login", response=LoginOut, auth=None)
def login(request: HttpRequest, payload: LoginIn) -> dict[str, object]:
    member = services.member_login(
        phone=payload.phone, password=payload.password, address=client_address(request)
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
