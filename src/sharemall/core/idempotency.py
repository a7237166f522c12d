"""Idempotency-Key: a repeated API write answers with the first answer instead of running again.

Stripe's rules: the same key with the same request replays the stored first answer; the same key
with a different request is refused (422); a duplicate arriving while the first still runs is
refused (409) so the client retries later. Correctness rests on the unique (scope, key)
constraint and on conditional updates only — SQLite ignores SELECT … FOR UPDATE — so it holds
across threads, workers and servers sharing one database.

A write that creates money (an order, a payment) is wrapped in `atomic_answer`: the view runs
in one transaction that also stores its answer in the claim, so the work and the stored answer
commit together. A worker that dies after that commit leaves a finished key that replays, never
an unfinished claim that a retry would take over and run a second time.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.core.http import client_address
from sharemall.core.models import IdempotencyRecord

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_KEY_LENGTH = 255
# An unfinished claim older than this is taken to belong to a worker that died mid-request.
# It must stay above the longest write the API serves (payment-provider calls included), or a
# slow first request could be taken over and run a second time beside itself.
LOCK_SECONDS = 60
KEEP_HOURS = 24
# Sign-in answers carry fresh bearer tokens; storing them here would keep in clear what
# accounts deliberately keeps only as a hash.
EXEMPT_PREFIXES = ("/api/v1/auth/",)
# Visible ASCII with inner spaces: anything else cannot round-trip through every proxy, and a
# NUL would make PostgreSQL refuse the row.
_KEY_PATTERN = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")
# A claim can vanish between our failed insert and our read (its holder failed and let go);
# trying again a few times settles that without looping forever under a pathological churn.
_CLAIM_ATTEMPTS = 3
# Where the middleware leaves the request's claim for `atomic_answer`, and whether it finished.
_CLAIM_ATTR = "_idempotency_claim"
_FINISHED_ATTR = "_idempotency_finished"

State = IdempotencyRecord.State


@dataclass(frozen=True)
class _Claim:
    pk: int
    locked_until: datetime  # the fencing token: only the claim's holder wrote this value


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        key = request.headers.get(HEADER)
        if key is None or not _applies(request):
            return self.get_response(request)
        if len(key) > MAX_KEY_LENGTH or not _KEY_PATTERN.fullmatch(key):
            return _error(
                400,
                "invalid_idempotency_key",
                _("The Idempotency-Key header must be 1 to %(max)d visible ASCII characters.")
                % {"max": MAX_KEY_LENGTH},
            )

        outcome = _claim(request, key)
        if not isinstance(outcome, _Claim):
            return outcome
        setattr(request, _CLAIM_ATTR, outcome)
        try:
            response = self.get_response(request)
        except BaseException:
            # Inner layers normally turn errors into 500 responses; if one escapes anyway,
            # nothing was promised, so the key must be free for a retry. A claim finished
            # inside the view's transaction is no longer in progress and stays.
            _owned(outcome).delete()
            raise
        if not getattr(request, _FINISHED_ATTR, False):
            _finish(outcome, response)
        return response


def atomic_answer[**P](
    view: Callable[P, HttpResponseBase],
) -> Callable[P, HttpResponseBase]:
    """Run a view in one transaction with the storing of its answer under the request's key.

    For writes that create money: an order, a payment. Either the work and its answer commit
    together or neither does — so a retry after a lost answer replays the first answer, and a
    request whose claim was taken over meanwhile (it outlived its lock) rolls back instead of
    committing beside the one that took over. Never wrap a view that calls a payment provider
    and relies on committing before the call. Without an Idempotency-Key the view runs as is.
    """

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        request = args[0]
        claim = getattr(request, _CLAIM_ATTR, None)
        if not isinstance(request, HttpRequest) or not isinstance(claim, _Claim):
            return view(*args, **kwargs)
        with transaction.atomic():
            response = view(*args, **kwargs)
            if not _keeps(response):
                # Nothing is promised, so nothing the view wrote may stay either.
                transaction.set_rollback(True)
                return response
            if _store(claim, response) != 1:
                transaction.set_rollback(True)
                logger.warning(
                    "idempotency: claim %s was taken over meanwhile; its work is rolled back",
                    claim.pk,
                )
                return _in_progress()
        setattr(request, _FINISHED_ATTR, True)
        return response

    return wrapped


def _keeps(response: HttpResponseBase) -> bool:
    """Whether an answer is kept for replay: not a failure, a throttle or a streamed body."""
    status = response.status_code
    return status < 500 and status != 429 and isinstance(response, HttpResponse)


def _store(claim: _Claim, response: HttpResponseBase) -> int:
    assert isinstance(response, HttpResponse)
    return _owned(claim).update(
        state=State.DONE,
        response_status=response.status_code,
        response_body=response.content,
        response_content_type=response.get("Content-Type", "")[:255],
    )


def _applies(request: HttpRequest) -> bool:
    path = request.path_info
    return (
        request.method in METHODS
        and path.startswith("/api/")
        and not path.startswith(EXEMPT_PREFIXES)
    )


def caller_scope(request: HttpRequest) -> str:
    """Who is calling, as far as can be told before authentication runs.

    A bearer token or session key is a credential, so only its hash is kept. A stranger is
    known by address alone, which is why keys should be random (a UUID) rather than counters.
    """
    authorization = request.headers.get("Authorization")
    if authorization:
        return _sha256(authorization.encode("utf-8", "surrogatepass"))
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if session_key:
        return "session:" + _sha256(session_key.encode("utf-8", "surrogatepass"))[:56]
    return ("anon:" + client_address(request))[:64]


def request_hash(request: HttpRequest) -> str:
    # get_full_path() is percent-encoded, so it holds no NUL and the separators are unambiguous.
    digest = hashlib.sha256()
    digest.update(str(request.method).encode("ascii") + b"\0")
    digest.update(request.get_full_path().encode("utf-8") + b"\0")
    digest.update(request.body)
    return digest.hexdigest()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _claim(request: HttpRequest, key: str) -> _Claim | HttpResponse:
    """Insert the in-progress row, or answer from the row someone else already holds."""
    scope = caller_scope(request)
    body_hash = request_hash(request)
    for _attempt in range(_CLAIM_ATTEMPTS):
        now = timezone.now()
        locked_until = now + timedelta(seconds=LOCK_SECONDS)
        try:
            # Committed on its own, before the request runs, so a concurrent duplicate
            # collides with it on the unique constraint instead of running alongside.
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    scope=scope,
                    key=key,
                    method=str(request.method),
                    path=request.path[:300],
                    body_hash=body_hash,
                    created_at=now,
                    locked_until=locked_until,
                )
            return _Claim(record.pk, locked_until)
        except IntegrityError:
            pass

        existing = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
        if existing is None:
            continue
        if existing.body_hash != body_hash:
            return _error(
                422,
                "idempotency_key_reused",
                _("This Idempotency-Key was already used for a different request."),
            )
        if existing.state == State.DONE:
            return _replay(existing)
        if existing.locked_until > now:
            return _in_progress()
        taken = IdempotencyRecord.objects.filter(
            pk=existing.pk, state=State.IN_PROGRESS, locked_until__lte=now
        ).update(locked_until=locked_until)
        if taken == 1:
            logger.warning(
                "idempotency: took over abandoned claim %s for %s %s",
                existing.pk,
                request.method,
                request.path,
            )
            return _Claim(existing.pk, locked_until)
        # Another duplicate took it over or it finished in between: look again.
    return _in_progress()


def _owned(claim: _Claim) -> QuerySet[IdempotencyRecord]:
    return IdempotencyRecord.objects.filter(
        pk=claim.pk, state=State.IN_PROGRESS, locked_until=claim.locked_until
    )


def _finish(claim: _Claim, response: HttpResponseBase) -> None:
    try:
        if not _keeps(response):
            # A failure or a throttle promised nothing, and a streamed body cannot be kept:
            # free the key so the client may simply retry.
            _owned(claim).delete()
            return
        stored = _store(claim, response)
    except DatabaseError:
        # The request itself succeeded; its answer is worth more to the client than the
        # bookkeeping. The claim stays in progress until its lock runs out.
        logger.exception("idempotency: could not record the answer for claim %s", claim.pk)
        return
    if stored != 1:
        logger.warning(
            "idempotency: claim %s was taken over before it finished; answer not kept", claim.pk
        )


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(bytes(record.response_body), status=record.response_status or 200)
    if record.response_content_type:
        response["Content-Type"] = record.response_content_type
    else:
        del response["Content-Type"]
    response[REPLAYED_HEADER] = "true"
    return response


def _in_progress() -> HttpResponse:
    response = _error(
        409,
        "idempotency_in_progress",
        _("A request with this Idempotency-Key is still being processed; retry shortly."),
    )
    response["Retry-After"] = "1"
    return response


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def idempotency_records_purge(now: datetime) -> int:
    """Forget answers older than a day, and claims whose holder died a day ago or more.

    After this a repeat of the key runs as a new request, as Stripe's 24-hour keys do.
    """
    cutoff = now - timedelta(hours=KEEP_HOURS)
    deleted, _by_model = IdempotencyRecord.objects.filter(
        Q(state=State.DONE, created_at__lt=cutoff)
        | Q(state=State.IN_PROGRESS, locked_until__lt=cutoff)
    ).delete()
    return deleted
