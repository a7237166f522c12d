"""Writing notices (the outbox) and delivering them.

`notify(member_id, kind, key, **params)` is called by the service that makes the event, inside
its transaction: the notice and its deliveries commit with the event or not at all, and the
unique `key` makes a re-run of the event write nothing more.

`notifications_deliver(now)` is the worker's job (sharemall/config/jobs.py). It claims due
deliveries in batches: on PostgreSQL `SELECT … FOR UPDATE SKIP LOCKED`, so parallel workers
take different rows; everywhere a conditional update stamps the batch with a claim token and a
lease (`next_attempt_at = now + LEASE`). Only then is the provider called, and a delivery is
marked sent only after it answered, under the same claim. A worker killed mid-batch leaves its
claimed rows pending; they are due again when the lease runs out and are sent again with the
same dedupe id (`Delivery.dedupe_id`), which a provider with idempotent sends (the sandbox)
answers without sending twice. A failure waits `rules.backoff(attempts)` (30 s doubling to an
hour, jittered) and is given up as `failed` only after `rules.GIVE_UP_AFTER` (3 days).
"""

from __future__ import annotations

import logging
import random
import secrets
from collections.abc import Callable
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.accounts.rules import has_phone
from sharemall.core.errors import DomainError, NotFound
from sharemall.notifications import rules
from sharemall.notifications.models import Delivery, Notice, NotificationPreference
from sharemall.sms import services as sms

logger = logging.getLogger(__name__)

BATCH = 200
MAX_BATCHES = 50  # per run: a run stays bounded; the next run goes on


def notify(member_id: int | None, kind: str, key: str, **params: object) -> Notice | None:
    """Write the notice of an event for a member, with its outbound deliveries, in the caller's
    transaction. None when there is no recipient or this event was already told."""
    if member_id is None:
        return None
    now = timezone.now()
    try:
        with transaction.atomic():
            notice = notice_new(member_id, kind, key, now=now, **params)
            notice.save(force_insert=True)
    except IntegrityError:
        return None  # this event was told already
    choices = dict(
        NotificationPreference.objects.filter(member_id=member_id, kind=kind).values_list(
            "channel", "enabled"
        )
    )
    Delivery.objects.bulk_create(deliveries_new(notice, choices, now=now))
    return notice


def notice_new(member_id: int, kind: str, key: str, *, now: datetime, **params: object) -> Notice:
    """An unsaved notice, as `notify` and checkout's fast capture write it."""
    return Notice(recipient_id=member_id, kind=kind, key=key[:120], params=params, created_at=now)


def deliveries_new(notice: Notice, choices: dict[str, bool], *, now: datetime) -> list[Delivery]:
    """The unsaved outbound deliveries of a notice, by the member's channel choices."""
    return [
        Delivery(notice=notice, channel=channel, next_attempt_at=now)
        for channel in rules.outbound_channels(notice.kind, choices)
    ]


# --- delivery --------------------------------------------------------------------------------


class ChannelMissing(Exception):
    """The channel has no adapter yet: the delivery is skipped, not retried."""


def _send_sms(delivery: Delivery) -> str:
    notice = delivery.notice
    phone = notice.recipient.phone
    if not has_phone(phone):  # a WeChat member without a number yet, or a closed account
        raise ChannelMissing("no phone")
    return sms.send(
        phone,
        rules.RULES[notice.kind].sms_template,
        rules.sms_params(notice.kind, notice.params),
        dedupe_id=delivery.dedupe_id,
    )


def _send_wechat(delivery: Delivery) -> str:
    # Until the WeChat app plugs its sender in (register_sender), the channel is skipped.
    raise ChannelMissing("wechat adapter not set up")


SENDERS: dict[str, Callable[[Delivery], str]] = {rules.SMS: _send_sms, rules.WECHAT: _send_wechat}


def register_sender(channel: str, sender: Callable[[Delivery], str]) -> None:
    """A feature above notifications plugs in a channel's sender from its app's ready() (WeChat
    subscribe messages): notifications never imports the features it serves."""
    if channel not in rules.OUTBOUND:
        raise ValueError(f"unknown channel {channel}")
    SENDERS[channel] = sender


def _claim(now: datetime, limit: int) -> tuple[str, list[Delivery]]:
    token = secrets.token_hex(16)
    due = Delivery.objects.filter(status=rules.PENDING, next_attempt_at__lte=now)
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
        if not ids:
            return token, []
        # Conditional: on a database without row locks a parallel claim of the same rows
        # updates none of them twice (the first moved next_attempt_at past now).
        Delivery.objects.filter(pk__in=ids, status=rules.PENDING, next_attempt_at__lte=now).update(
            claim=token, next_attempt_at=now + rules.LEASE, attempts=F("attempts") + 1
        )
    claimed = list(
        Delivery.objects.filter(claim=token, status=rules.PENDING)
        .select_related("notice__recipient")
        .order_by("pk")
    )
    return token, claimed


def _finish(delivery: Delivery, token: str, **updates: object) -> None:
    Delivery.objects.filter(pk=delivery.pk, claim=token, status=rules.PENDING).update(
        claim="", **updates
    )


Outcome = dict[str, object]  # the updates a failed or skipped delivery is finished with


def _deliver_one(
    delivery: Delivery, token: str, now: datetime, rng: random.Random
) -> Outcome | None:
    """Send one delivery. A sent one is marked at once, in its own commit (a kill right after
    can repeat at most this one message); a failure's outcome is returned to be written with
    the batch's others (losing it only means one more try after the lease)."""
    sender = SENDERS.get(delivery.channel)
    try:
        if sender is None:
            raise ChannelMissing(f"unknown channel {delivery.channel}")
        provider_id = sender(delivery)
    except ChannelMissing as missing:
        return {"status": rules.SKIPPED, "last_error": str(missing)[:300]}
    except Exception as error:  # any provider failure is retried, never lost
        if not isinstance(error, DomainError):
            logger.warning("notice delivery %s failed: %r", delivery.pk, error)
        if rules.given_up(now - delivery.notice.created_at):
            return {"status": rules.FAILED, "last_error": str(error)[:300]}
        return {
            "next_attempt_at": now + rules.backoff(delivery.attempts, rng),
            "last_error": str(error)[:300],
        }
    _finish(delivery, token, status=rules.SENT, sent_at=now, provider_id=str(provider_id)[:64])
    return None


def notifications_deliver(
    now: datetime,
    *,
    batch: int = BATCH,
    max_batches: int = MAX_BATCHES,
    rng: random.Random | None = None,
) -> int:
    """Job: send the due deliveries; how many were sent."""
    rng = rng or random.Random()  # noqa: S311 - jitter, not a secret
    sent = 0
    for _batch in range(max_batches):
        token, claimed = _claim(now, batch)
        if not claimed:
            break
        unsent: list[tuple[Delivery, Outcome]] = []
        for delivery in claimed:
            outcome = _deliver_one(delivery, token, now, rng)
            if outcome is None:
                sent += 1
            else:
                unsent.append((delivery, outcome))
        _finish_many(unsent, token)
    return sent


def _finish_many(unsent: list[tuple[Delivery, Outcome]], token: str) -> None:
    """Write the failures and skips of a batch: one UPDATE per distinct outcome (the back-off
    jitter comes in a few steps, so a batch has few), still only for rows this claim holds."""
    groups: dict[tuple[tuple[str, object], ...], list[int]] = {}
    for delivery, outcome in unsent:
        groups.setdefault(tuple(sorted(outcome.items())), []).append(delivery.pk)
    for outcome_items, ids in groups.items():
        Delivery.objects.filter(pk__in=ids, claim=token, status=rules.PENDING).update(
            claim="", **dict(outcome_items)
        )


# --- the member's messages -------------------------------------------------------------------


def message_read(member: Member, notice_id: int) -> Notice:
    notice = Notice.objects.filter(pk=notice_id, recipient=member).first()
    if notice is None:
        raise NotFound(_("Not found."))
    if notice.read_at is None:
        now = timezone.now()
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=now)
        notice.refresh_from_db(fields=["read_at"])
    return notice


def messages_read_all(member: Member) -> int:
    return Notice.objects.filter(recipient=member, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def settings_set(member: Member, choices: list[tuple[str, str, bool]]) -> None:
    """Keep the member's channel choices: (kind, channel, enabled); in-app cannot be turned
    off (unknown kinds and channels are refused by the schema)."""
    with transaction.atomic():
        for kind, channel, enabled in choices:
            if kind not in rules.RULES or channel not in rules.OUTBOUND:
                raise DomainError(_("Unknown notice kind or channel."), code="invalid_setting")
            NotificationPreference.objects.update_or_create(
                member=member, kind=kind, channel=channel, defaults={"enabled": enabled}
            )
