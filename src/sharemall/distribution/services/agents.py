"""Regional agents (区域代理): appointment, ending, and who covers a region."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.core.errors import DomainError
from sharemall.distribution.models import (
    RegionAgent,
)
from sharemall.merchants.rules import region as gb2260_region


def region_agent_for(region_code: str) -> Member | None:
    """The most specific active agent whose region holds `region_code`."""
    if len(region_code) != 6:
        return None
    candidates = [region_code, region_code[:4] + "00", region_code[:2] + "0000"]
    agents = {
        a.region_code: a
        for a in RegionAgent.objects.select_related("member").filter(
            region_code__in=candidates, is_active=True, member__is_active=True
        )
    }
    for code in candidates:
        if code in agents:
            return agents[code].member
    return None


def region_agent_appoint(*, member_id: int, region_code: str) -> RegionAgent:
    region = gb2260_region(region_code)
    person = Member.objects.filter(pk=member_id, is_active=True).first()
    if person is None:
        raise DomainError(_("No such member."), code="unknown_member")
    try:
        with transaction.atomic():
            return RegionAgent.objects.create(member=person, region_code=region.code)
    except IntegrityError:
        raise DomainError(
            _("This region already has an active agent."), code="region_taken"
        ) from None


def region_agent_end(agent: RegionAgent) -> RegionAgent:
    RegionAgent.objects.filter(pk=agent.pk, is_active=True).update(
        is_active=False, ended_at=timezone.now()
    )
    agent.refresh_from_db()
    return agent
