from typing import Any

from django.http import HttpRequest
from ninja import Router

from sharemall.accounts.auth import member_auth, require_member
from sharemall.privacy import selectors, services
from sharemall.privacy.schemas import CloseIn, CloseOut, ExportOut

router = Router(tags=["privacy"])


@router.get("/me/export", response=ExportOut, auth=member_auth)
def export(request: HttpRequest) -> dict[str, Any]:
    """The caller's personal data as one JSON document: profile, consents, binding history,
    orders, commissions, withdrawals (payee masked), posts, share links, addresses."""
    return selectors.member_export(require_member(request))


@router.post("/me/close", response=CloseOut, auth=member_auth)
def close(request: HttpRequest, payload: CloseIn | None = None) -> dict[str, bool]:
    """Close the caller's account: personal data erased, orders, ledger and commissions kept.
    Wrong password → 400 `invalid_password`; money left → 400 `balance_not_empty`; owner of a
    shop → 400 `owns_merchant`. A bearer token issued in the last ten minutes may send no body:
    the fresh sign-in is the confirmation. Every token is revoked; logging in again is refused."""
    confirm = payload or CloseIn()
    services.member_close(
        require_member(request), password=confirm.password, sms_code=confirm.sms_code
    )
    return {"closed": True}
