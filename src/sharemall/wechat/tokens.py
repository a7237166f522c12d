"""WeChat's short-lived credentials, shared by every process and refreshed under a lock.

WeChat invalidates an app's previous access token when a new one is fetched (and the same holds
for the component's token and each authorizer's). Processes that each fetched their own would
keep knocking each other's token out. So a credential lives in one database row per app and
kind (`Credential`); it is read without a lock while valid, and fetched by one process at a
time under the row's lock (`SELECT … FOR UPDATE`): whoever gets the lock second finds the fresh
value and uses it. A call that WeChat refuses with an invalid or expired token (40001, 40014,
42001) refreshes once, and only if the row still holds the value that was refused: one refresh
per stale token, however many callers saw it fail.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from wechatpy.exceptions import WeChatClientException

from sharemall.wechat.models import Credential

ACCESS_TOKEN, JSAPI_TICKET = "access_token", "jsapi_ticket"
COMPONENT_TOKEN, AUTHORIZER_TOKEN = "component_token", "authorizer_token"
# Not fetched but pushed: WeChat sends the component a new verify ticket every ten minutes.
VERIFY_TICKET = "component_verify_ticket"
# WeChat's answers that mean "this token is no good": invalid credential, invalid token, expired.
TOKEN_REFUSED = (40001, 40014, 42001)
# Refreshed this long before WeChat's stated expiry, so a call never carries a token that
# expires on the way.
MARGIN = timedelta(minutes=5)

# A fetch answers the new value and its lifetime in seconds.
Fetch = Callable[[], tuple[str, int]]


def _row(app_id: str, kind: str) -> Credential:
    row = Credential.objects.filter(app_id=app_id, kind=kind).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return Credential.objects.create(app_id=app_id, kind=kind)
    except IntegrityError:  # made meanwhile by another process
        return Credential.objects.get(app_id=app_id, kind=kind)


def _valid(row: Credential) -> bool:
    return bool(row.value) and row.expires_at is not None and row.expires_at > timezone.now()


def current(app_id: str, kind: str, fetch: Fetch) -> str:
    """The credential, fetched first if there is none or it is about to expire."""
    row = _row(app_id, kind)
    if _valid(row):
        return row.value
    return _refresh(row, fetch, unless=_valid)


def refresh_stale(app_id: str, kind: str, stale: str, fetch: Fetch) -> str:
    """WeChat refused `stale`: fetch a new credential, unless another caller already did."""
    row = _row(app_id, kind)
    return _refresh(row, fetch, unless=lambda locked: locked.value != stale and _valid(locked))


def _refresh(row: Credential, fetch: Fetch, *, unless: Callable[[Credential], bool]) -> str:
    with transaction.atomic():
        # An UPDATE that changes nothing takes the row's lock on PostgreSQL and the database's
        # write lock on SQLite (where SELECT … FOR UPDATE is a no-op): the others wait here.
        Credential.objects.filter(pk=row.pk).update(refreshes=F("refreshes"))
        locked = Credential.objects.get(pk=row.pk)
        if unless(locked):
            return locked.value
        value, lifetime = fetch()
        now = timezone.now()
        locked.value = value
        locked.expires_at = now + max(timedelta(seconds=lifetime) - MARGIN, timedelta(seconds=60))
        locked.refreshed_at = now
        locked.refreshes += 1
        locked.save(update_fields=["value", "expires_at", "refreshed_at", "refreshes"])
        return value


def with_token[T](
    app_id: str, kind: str, fetch: Fetch, call: Callable[[str], T], *, given: str = ""
) -> T:
    """`call(token)` with the shared credential (or `given`); when WeChat refuses it for the
    token, refresh once (unless another caller already did) and retry once — never a loop."""
    used = given or current(app_id, kind, fetch)
    try:
        return call(used)
    except WeChatClientException as refused:
        if refused.errcode not in TOKEN_REFUSED:
            raise
    return call(refresh_stale(app_id, kind, used, fetch))


def store(app_id: str, kind: str, value: str, lifetime: int) -> None:
    """Keep a credential WeChat handed us rather than one we fetched (a verify ticket pushed to
    the component, the authorizer token that comes with an authorisation)."""
    row = _row(app_id, kind)
    now = timezone.now()
    Credential.objects.filter(pk=row.pk).update(
        value=value,
        expires_at=now + max(timedelta(seconds=lifetime) - MARGIN, timedelta(seconds=60)),
        refreshed_at=now,
        refreshes=F("refreshes") + 1,
    )


def stored(app_id: str, kind: str) -> str:
    """The credential while it is valid, else "" (never fetches)."""
    row = Credential.objects.filter(app_id=app_id, kind=kind).first()
    return row.value if row is not None and _valid(row) else ""


def forget(app_id: str, kind: str) -> None:
    """Drop a credential (an authorizer that revoked us); the next use fetches afresh."""
    Credential.objects.filter(app_id=app_id, kind=kind).update(value="", expires_at=None)
