"""Attribution (PRODUCT §4.3): who brought the buyer to an order, and binding at checkout."""

from dataclasses import dataclass
from datetime import datetime

from sharemall.accounts.binding import bind
from sharemall.accounts.models import Member
from sharemall.sharing.models import ShareLink
from sharemall.sharing.selectors import attribution_link


@dataclass(frozen=True)
class Attribution:
    referrer: Member | None
    kind: str  # "share", "parent" or ""
    link_id: int | None = None
    rewarded: bool = False
    link_code: str = ""  # the share link's code, named in the binding it may make

    @property
    def through_share(self) -> bool:
        return self.kind == "share"


def attribute(buyer: Member, *, share_code: str | None, now: datetime) -> Attribution:
    """PRODUCT §4.3: the sharer of the buyer's latest share click within the window, else the
    buyer's parent (while the binding holds), else nobody."""
    return attribution_of(
        buyer, attribution_link(buyer=buyer, share_code=share_code, now=now), now=now
    )


def attribution_of(buyer: Member, link: ShareLink | None, *, now: datetime) -> Attribution:
    """The attribution once the share link (if any) is known: the link's sharer, else the
    buyer's parent while the binding holds, else nobody."""
    if link is not None and link.sharer_id != buyer.pk:
        return Attribution(link.sharer, "share", link.pk, link.rewarded, link.code)
    if buyer.parent_id and (buyer.bound_until is None or buyer.bound_until > now):
        return Attribution(buyer.parent, "parent", None, True)
    return Attribution(None, "")


def binding_at_checkout(buyer: Member, attribution: Attribution, *, now: datetime) -> bool:
    """An order through a share (sent with the order, remembered by the landing's cookie, or the
    buyer's latest share click) may (re)bind the buyer to its sharer, as the binding mode
    allows (PRODUCT §4.2). Returns whether it did."""
    if not attribution.through_share or attribution.referrer is None or not attribution.link_id:
        return False
    return bind(buyer, attribution.referrer, source=f"checkout:{attribution.link_code}", now=now)
