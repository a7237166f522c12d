"""Writes of the community convention: penalties, appeals, convention versions.

Appeals reach decisions other apps take (a hidden post, a hidden comment) through the decision
registry: an app registers a `DecisionType` from its AppConfig.ready(), so community never
imports the apps above it.
"""

from __future__ import annotations

from typing import Protocol

from django.utils import formats
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.community import rules, selectors


class DecisionType(Protocol):
    """A kind of decision that can be appealed, registered by the app that takes it."""

    def decision(self, decision_id: int) -> rules.Decision | None:
        """The decision, or None when there is no such decision to appeal."""

    def overturn(self, decision_id: int, *, reviewer: Member, note: str) -> None:
        """Withdraw the decision after a successful appeal (e.g. show the post again)."""


_decision_types: dict[str, DecisionType] = {}


def register_decision_type(name: str, handler: DecisionType) -> None:
    _decision_types[name] = handler


def decision_type(name: str) -> DecisionType | None:
    return _decision_types.get(name)


def ensure_can_speak(member: Member) -> None:
    """Refuse a post or a comment from a muted member, saying until when."""
    mute = selectors.active_mute(member.pk)
    if mute is None:
        return
    if mute.until is None:
        raise rules.Muted(_("You are muted for good under the community convention."))
    raise rules.Muted(
        _("You are muted under the community convention until %(until)s.")
        % {"until": formats.date_format(mute.until.astimezone(), "Y-m-d H:i")},
        details={"until": mute.until.isoformat()},
    )
