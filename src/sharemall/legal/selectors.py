from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sharemall.accounts.models import Member
from sharemall.legal import rules
from sharemall.legal.models import Consent, LegalDocument


def current(kind: str) -> LegalDocument | None:
    return LegalDocument.objects.filter(kind=kind).order_by("-version").first()


def history(kind: str) -> QuerySet[LegalDocument]:
    return LegalDocument.objects.filter(kind=kind).order_by("-version")


def consents_of(member: Member) -> list[dict[str, Any]]:
    rows = Consent.objects.filter(member=member).order_by("accepted_at", "id")
    return [
        {
            "kind": c.kind,
            "version": c.version,
            "accepted_at": c.accepted_at.isoformat(),
            "ip": c.ip,
        }
        for c in rows
    ]


def outdated_for(member: Member) -> list[LegalDocument]:
    """The current documents the member has not accepted (published after they signed up)."""
    accepted = set(Consent.objects.filter(member=member).values_list("kind", "version"))
    found = [current(kind) for kind in rules.KINDS]
    return [d for d in found if d is not None and (d.kind, d.version) not in accepted]
