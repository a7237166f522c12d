"""Writes for merchants: applications and their review, stores, staff, licence images."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.accounts.rules import normalize_phone
from sharemall.core.errors import Conflict, DomainError, NotFound
from sharemall.core.images import clean_image
from sharemall.merchants import rules
from sharemall.merchants.models import Merchant, MerchantEvent, Staff, Store
from sharemall.notifications import rules as notices
from sharemall.notifications.services import notify

NAME_MAX = 120


def _text(value: str, field: str, max_length: int) -> str:
    cleaned = " ".join((value or "").split())
    if not cleaned:
        raise DomainError(_("%(field)s is required.") % {"field": field}, code="invalid_input")
    if len(cleaned) > max_length:
        raise DomainError(
            _("%(field)s has at most %(n)d characters.") % {"field": field, "n": max_length},
            code="invalid_input",
        )
    return cleaned


def _application_fields(
    *, legal_name: str, uscc: str, legal_rep: str, contact_phone: str
) -> dict[str, str]:
    return {
        "legal_name": _text(legal_name, "legal_name", NAME_MAX),
        "uscc": rules.clean_uscc(uscc),
        "legal_rep": _text(legal_rep, "legal_rep", 60),
        "contact_phone": normalize_phone(contact_phone),
    }


def _uscc_taken() -> Conflict:
    return Conflict(
        _("A merchant with this licence code is already registered."), code="uscc_taken"
    )


def _move(
    merchant: Merchant, target: str, *, actor: Member | None, reason: str = "", **updates: Any
) -> Merchant:
    """A declared transition as a conditional update, with its event row, atomically."""
    try:
        rules.APPLICATION.move(merchant, target, actor=actor, note=reason, **updates)
    except IntegrityError:
        raise _uscc_taken() from None
    merchant.refresh_from_db()
    return merchant


def merchant_apply(
    *,
    owner: Member,
    legal_name: str,
    uscc: str,
    legal_rep: str,
    contact_phone: str,
    submit: bool = True,
) -> Merchant:
    """A new application. The owner becomes its first staff member and it gets its online shop."""
    fields = _application_fields(
        legal_name=legal_name, uscc=uscc, legal_rep=legal_rep, contact_phone=contact_phone
    )
    status = rules.SUBMITTED if submit else rules.DRAFT
    try:
        with transaction.atomic():
            merchant = Merchant.objects.create(owner=owner, status=status, **fields)
            MerchantEvent.objects.create(merchant=merchant, to_status=status, actor=owner)
            Staff.objects.create(merchant=merchant, member=owner, role=Staff.Role.OWNER)
            Store.objects.create(
                merchant=merchant, kind=Store.Kind.ONLINE, name=fields["legal_name"]
            )
    except IntegrityError:
        raise _uscc_taken() from None
    return merchant


def merchant_update(merchant: Merchant, **changes: str) -> Merchant:
    """Edit an application while it is a draft or after a rejection; a live one is locked."""
    if merchant.status not in rules.EDITABLE_STATUSES:
        raise DomainError(
            _("An application can only be edited as a draft or after a rejection."),
            code="not_editable",
        )
    current = {
        "legal_name": merchant.legal_name,
        "uscc": merchant.uscc,
        "legal_rep": merchant.legal_rep,
        "contact_phone": merchant.contact_phone,
    }
    current.update({k: v for k, v in changes.items() if v is not None})
    fields = _application_fields(**current)
    updated = Merchant.objects.filter(pk=merchant.pk, status__in=rules.EDITABLE_STATUSES).update(
        **fields
    )
    if not updated:
        raise Conflict(_("The application changed meanwhile; reload it."), code="conflict")
    merchant.refresh_from_db()
    return merchant


def merchant_submit(merchant: Merchant, *, actor: Member) -> Merchant:
    return _move(merchant, rules.SUBMITTED, actor=actor, rejection_reason="")


def merchant_approve(merchant: Merchant, *, operator: Member) -> Merchant:
    """Certify a submitted application; only a complete one (every field and the licence
    image, as stored now) can be approved."""
    stored = Merchant.objects.filter(pk=merchant.pk).values(*rules.APPLICATION_REQUIRED).first()
    if stored is None:
        raise NotFound(_("No such merchant."))
    if merchant.status == rules.SUBMITTED:
        rules.check_complete(stored)
    with transaction.atomic():
        was = merchant.status
        merchant = _move(merchant, rules.APPROVED, actor=operator)
        if was == rules.SUBMITTED:  # a reinstatement is not an application decided
            _tell_decision(merchant, notices.APPROVED)
    return merchant


def _reason(reason: str) -> str:
    return _text(reason, "reason", 1000)


def merchant_reject(merchant: Merchant, *, operator: Member, reason: str) -> Merchant:
    why = _reason(reason)
    with transaction.atomic():
        merchant = _move(merchant, rules.REJECTED, actor=operator, reason=why, rejection_reason=why)
        _tell_decision(merchant, notices.REJECTED)
    return merchant


def _tell_decision(merchant: Merchant, decision: str) -> None:
    """The applicant hears of the decision, in the decision's transaction. Keyed by its event
    row: an application rejected, mended and approved is told both times."""
    event_id = MerchantEvent.objects.filter(merchant=merchant).latest("pk").pk
    notify(
        merchant.owner_id,
        notices.MERCHANT_APPLICATION_DECIDED,
        f"merchant:{merchant.pk}:decided:{event_id}",
        decision=decision,
        name=merchant.legal_name,
    )


def merchant_suspend(merchant: Merchant, *, operator: Member, reason: str) -> Merchant:
    return _move(merchant, rules.SUSPENDED, actor=operator, reason=_reason(reason))


def merchant_reinstate(merchant: Merchant, *, operator: Member, reason: str = "") -> Merchant:
    return _move(merchant, rules.APPROVED, actor=operator, reason=reason)


def merchant_set_fee(merchant: Merchant, *, operator: Member, fee_bp: int) -> Merchant:
    """The platform's fee on the merchant's orders from now on (an order keeps the rate it was
    placed at). Recorded on the merchant's trail with the old and the new rate; setting the
    rate it already has changes and records nothing."""
    fee_bp = rules.check_fee(fee_bp)
    with transaction.atomic():
        locked = Merchant.objects.select_for_update().filter(pk=merchant.pk).first()
        if locked is None:
            raise NotFound(_("No such merchant."))
        old_bp = locked.platform_fee_bp
        if old_bp != fee_bp:
            locked.platform_fee_bp = fee_bp
            locked.save(update_fields=["platform_fee_bp"])
            MerchantEvent.objects.create(
                merchant=locked,
                from_status=locked.status,
                to_status=locked.status,
                actor=operator,
                note=rules.fee_note(old_bp, fee_bp),
            )
    merchant.refresh_from_db()
    return merchant


def licence_upload(merchant: Merchant, data: bytes) -> Merchant:
    if merchant.status not in (*rules.EDITABLE_STATUSES, rules.SUBMITTED):
        raise DomainError(
            _("The licence can only be replaced before approval."), code="not_editable"
        )
    image = clean_image(data)
    old = merchant.licence_image.name if merchant.licence_image else ""
    merchant.licence_image.save(
        f"m{merchant.pk}.{image.extension}", ContentFile(image.content), save=False
    )
    Merchant.objects.filter(pk=merchant.pk).update(licence_image=merchant.licence_image.name)
    if old and old != merchant.licence_image.name:
        merchant.licence_image.storage.delete(old)
    return merchant


def _store_fields(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": _text(data.get("name") or "", "name", 80),
        "phone": normalize_phone(data["phone"]) if data.get("phone") else "",
        "opening_hours": rules.clean_opening_hours(list(data.get("opening_hours") or [])),
    }
    if kind == Store.Kind.OFFLINE:
        lat, lng = data.get("latitude"), data.get("longitude")
        if lat is None or lng is None:
            raise DomainError(
                _("An offline store needs its coordinates."), code="invalid_coordinates"
            )
        rules.check_coordinates(float(lat), float(lng))
        region = rules.region(str(data.get("region_code") or ""))
        if region.level != "district":
            raise rules.InvalidRegion(_("Choose the district the store is in."))
        fields.update(
            region_code=region.code,
            address=_text(str(data.get("address") or ""), "address", 200),
            latitude=float(lat),
            longitude=float(lng),
        )
    return fields


def store_create(merchant: Merchant, *, kind: str, **data: Any) -> Store:
    if kind != Store.Kind.OFFLINE:
        raise DomainError(
            _("A merchant has one online shop, made with the application; add offline stores."),
            code="invalid_input",
        )
    return Store.objects.create(merchant=merchant, kind=kind, **_store_fields(kind, data))


def store_update(store: Store, **data: Any) -> Store:
    merged = {
        "name": store.name,
        "phone": store.phone,
        "opening_hours": store.opening_hours,
        "region_code": store.region_code,
        "address": store.address,
        "latitude": store.latitude,
        "longitude": store.longitude,
    }
    merged.update({k: v for k, v in data.items() if v is not None and k in merged})
    fields = _store_fields(store.kind, merged)
    if "is_active" in data and data["is_active"] is not None:
        fields["is_active"] = bool(data["is_active"])
    Store.objects.filter(pk=store.pk).update(**fields)
    store.refresh_from_db()
    return store


def staff_add(merchant: Merchant, *, phone: str, store_id: int | None = None) -> Staff:
    member = Member.objects.filter(phone=normalize_phone(phone), is_active=True).first()
    if member is None:
        raise NotFound(_("No member has this phone number; ask them to register first."))
    store = None
    if store_id is not None:
        store = Store.objects.filter(pk=store_id, merchant=merchant).first()
        if store is None:
            raise NotFound(_("No such store."))
    try:
        with transaction.atomic():
            return Staff.objects.create(merchant=merchant, member=member, store=store)
    except IntegrityError:
        raise Conflict(
            _("This member already works for the merchant."), code="already_staff"
        ) from None


def staff_remove(merchant: Merchant, *, member_id: int) -> None:
    deleted, _rows = Staff.objects.filter(
        merchant=merchant, member_id=member_id, role=Staff.Role.STAFF
    ).delete()
    if not deleted:
        raise NotFound(_("No such staff member."))


def merchant_apply_with_licence(
    *,
    owner: Member,
    legal_name: str,
    uscc: str,
    legal_rep: str,
    contact_phone: str,
    licence: bytes | None,
) -> Merchant:
    """Apply and attach the licence photo in one transaction: a refused photo leaves no
    half-made application behind."""
    with transaction.atomic():
        merchant = merchant_apply(
            owner=owner,
            legal_name=legal_name,
            uscc=uscc,
            legal_rep=legal_rep,
            contact_phone=contact_phone,
        )
        if licence:
            licence_upload(merchant, licence)
    return merchant


def merchant_resubmit(
    merchant: Merchant, *, actor: Member, licence: bytes | None, **changes: str
) -> Merchant:
    """Correct a draft or rejected application, replace its licence photo when one is given,
    and send it (again) for review: all or nothing."""
    with transaction.atomic():
        merchant = merchant_update(merchant, **changes)
        if licence:
            licence_upload(merchant, licence)
        return merchant_submit(merchant, actor=actor)


def _clean_return_address(
    *, receiver: str, phone: str, region_code: str, address: str
) -> rules.ReturnAddress:
    try:
        mobile: str | None = normalize_phone(phone)
    except DomainError:
        mobile = None  # perhaps a landline: the rule decides
    return rules.clean_return_address(
        receiver=receiver, phone=phone, region_code=region_code, address=address, mobile=mobile
    )


def merchant_set_return_address(
    merchant: Merchant, *, receiver: str, phone: str, region_code: str, address: str
) -> Merchant:
    """The owner sets where buyers send returns (checked whole: nothing is written on a
    refusal)."""
    clean = _clean_return_address(
        receiver=receiver, phone=phone, region_code=region_code, address=address
    )
    Merchant.objects.filter(pk=merchant.pk).update(**_return_fields(clean))
    merchant.refresh_from_db()
    return merchant


def _return_fields(clean: rules.ReturnAddress | None) -> dict[str, str]:
    """The return-address columns (the same on merchants and stores); None clears them."""
    return {
        "return_receiver": clean.receiver if clean else "",
        "return_phone": clean.phone if clean else "",
        "return_region_code": clean.region_code if clean else "",
        "return_address": clean.address if clean else "",
    }


def store_set_return_address(
    store: Store, *, receiver: str, phone: str, region_code: str, address: str
) -> Store:
    """The owner gives a store its own return address, used for the returns of its (pickup)
    orders instead of the merchant's; every field empty clears it (back to the merchant's).
    Checked whole, like the merchant's."""
    cleared = not any(value.strip() for value in (receiver, phone, region_code, address))
    clean = (
        None
        if cleared
        else _clean_return_address(
            receiver=receiver, phone=phone, region_code=region_code, address=address
        )
    )
    Store.objects.filter(pk=store.pk).update(**_return_fields(clean))
    store.refresh_from_db()
    return store
