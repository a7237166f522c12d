"""Publishing a new version of a legal document, and recording members' consent."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.core.errors import Conflict, DomainError
from sharemall.core.http import ip_or_none
from sharemall.legal import first_versions, rules, selectors
from sharemall.legal.models import Consent, LegalDocument


def current(kind: str) -> LegalDocument:
    """The current version of `kind`; the first one is put in place if there is none yet (it
    is also seeded by a data migration)."""
    document = selectors.current(kind)
    if document is not None:
        return document
    title, body = first_versions.FIRST_VERSIONS[kind]
    document, _created = LegalDocument.objects.get_or_create(
        kind=kind, version=1, defaults={"title": title, "body": body}
    )
    return document


def document_publish(*, kind: str, title: str, body: str, actor: Member) -> LegalDocument:
    """A new version of `kind`, current from now on; earlier versions stay as they were."""
    if kind not in rules.KINDS:
        raise DomainError(_("No such document."), code="unknown_document")
    title = " ".join(title.split())
    body = body.strip()
    if not title or len(title) > rules.TITLE_MAX_LENGTH:
        raise DomainError(_("Give the document a title."), code="invalid_title")
    if not body or len(body) > rules.BODY_MAX_LENGTH:
        raise DomainError(_("The document text is empty or too long."), code="invalid_body")
    latest = current(kind)
    try:
        with transaction.atomic():
            return LegalDocument.objects.create(
                kind=kind,
                version=latest.version + 1,
                title=title,
                body=body,
                published_by=actor,
            )
    except IntegrityError:
        raise Conflict(
            _("Someone published a new version at the same time."), code="version_taken"
        ) from None


def consent_record(member: Member, *, address: str | None = None) -> list[Consent]:
    """The member accepts the current version of every document (once per version)."""
    now = timezone.now()
    made = []
    for kind in rules.KINDS:
        document = current(kind)
        consent, _created = Consent.objects.get_or_create(
            member=member,
            kind=kind,
            version=document.version,
            defaults={"accepted_at": now, "ip": ip_or_none(address)},
        )
        made.append(consent)
    return made


# The consent of a member just made: the current version of every kind, one statement.
_SIGNUP_CONSENT_SQL = """
INSERT INTO legal_consent (member_id, kind, version, accepted_at, ip)
SELECT %s, kind, max(version), %s, %s FROM legal_legaldocument
WHERE kind IN ({kinds}) GROUP BY kind
ON CONFLICT (member_id, kind, version) DO NOTHING
""".format(kinds=", ".join(["%s"] * len(rules.KINDS)))


# The same consent as rows of the one-statement code sign-up (accounts.signup.Companion), ready
# once every kind has a published version (a data migration puts the first ones in place).
_KIND_LIST = ", ".join(f"'{kind}'" for kind in rules.KINDS)  # constants of legal.rules
SIGNUP_CONSENT_ROWS = f"""
INSERT INTO legal_consent (member_id, kind, version, accepted_at, ip)
SELECT made.id, d.kind, max(d.version), made.date_joined, made.signup_ip
FROM made CROSS JOIN legal_legaldocument AS d WHERE d.kind IN ({_KIND_LIST})
GROUP BY made.id, made.date_joined, made.signup_ip, d.kind
"""  # noqa: S608 - constant names; values are parameters
SIGNUP_CONSENT_READY = (
    f"(SELECT count(DISTINCT kind) FROM legal_legaldocument WHERE kind IN ({_KIND_LIST}))"  # noqa: S608 - constants
    f" = {len(rules.KINDS)}"
)


def consent_on_signup(sender: Any, *, member: Member, address: str | None = None, **_: Any) -> None:
    """`member_signed_up`, inside the sign-up's transaction: the newcomer accepts the current
    version of each document, one INSERT … SELECT (the first versions are put in place the
    slow way if a kind has none yet)."""
    ops = connection.ops
    params = [
        member.pk,
        ops.adapt_datetimefield_value(timezone.now()),
        ops.adapt_ipaddressfield_value(ip_or_none(address)),
        *rules.KINDS,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_SIGNUP_CONSENT_SQL, params)
        recorded = cursor.rowcount
    if recorded < len(rules.KINDS):
        consent_record(member, address=address)
