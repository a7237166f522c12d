"""Experience posts as share targets: a post is shared like a product, with its own poster.

Registered with sharing from `PostsConfig.ready()`; sharing never imports posts.
"""

from __future__ import annotations

from dataclasses import replace

from django.utils.translation import gettext as _

from sharemall.core.errors import NotFound
from sharemall.posts import selectors
from sharemall.sharing import poster
from sharemall.sharing.targets import PosterSubject


class PostShareTarget:
    def check_shareable(self, target_id: int) -> None:
        if not selectors.post_is_public(target_id):
            raise NotFound(_("No such post."))

    def poster_subject(self, target_id: int, nickname: str) -> PosterSubject | None:
        """A post's poster shows the product it is about, with the author's own first photo."""
        post = selectors.public_posts().filter(pk=target_id).first()
        about = poster.product_subject(post.product_id) if post is not None else None
        if post is None or about is None:
            return None
        first = post.images.order_by("position", "id").first()
        return replace(
            about,
            subtitle=_("%(nickname)s's experience share") % {"nickname": nickname},
            photo=poster.photo_bytes(first.image if first else None) or about.photo,
        )
