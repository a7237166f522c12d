"""Posts plug into sharing as a share target; sharing itself never imports posts."""

from __future__ import annotations

import pytest
from tests.factories import MemberFactory

from sharemall.core.errors import NotFound
from sharemall.posts.share_targets import PostShareTarget
from sharemall.sharing import targets
from sharemall.sharing.models import ShareLink
from sharemall.sharing.services import share_create
from sharemall.sharing.targets import PosterSubject

pytestmark = pytest.mark.django_db


class _AnyIdShareable:
    """A plugged-in target that accepts every id, to see that sharing asks the registry."""

    def __init__(self) -> None:
        self.checked: list[int] = []

    def check_shareable(self, target_id: int) -> None:
        self.checked.append(target_id)

    def poster_subject(self, target_id: int, nickname: str) -> PosterSubject | None:
        return None


def test_the_posts_app_plugs_its_target_in_when_it_is_ready() -> None:
    assert isinstance(targets.registered("post"), PostShareTarget)


def test_sharing_a_post_asks_the_plugged_in_target(monkeypatch: pytest.MonkeyPatch) -> None:
    member = MemberFactory.create()
    plugged = _AnyIdShareable()
    monkeypatch.setitem(targets._registry, "post", plugged)

    link = share_create(sharer=member, target_type="post", target_id=7).link

    assert plugged.checked == [7]
    assert (link.target_type, link.target_id) == ("post", 7)


def test_without_a_plugged_in_post_target_no_post_can_be_shared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    member = MemberFactory.create()
    monkeypatch.delitem(targets._registry, "post")

    with pytest.raises(NotFound):
        share_create(sharer=member, target_type="post", target_id=1)
    assert not ShareLink.objects.exists()
