from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from sharemall.sharing import rules as sharing_rules
from sharemall.sharing import targets


class PostsConfig(AppConfig):
    """Verified buyers' experience posts, their photos and comments, reports, near-copy holds
    and the platform's moderation."""

    name = "sharemall.posts"
    label = "posts"
    verbose_name = _("Experience posts")

    def ready(self) -> None:
        # Plug-in registration, not a signal: sharing checks and draws posts through this
        # without importing posts, so the dependency runs one way, posts -> sharing.
        # It reads posts' models, which exist only once the app registry is ready.
        from sharemall.community import services as community  # noqa: PLC0415
        from sharemall.posts.decisions import (  # noqa: PLC0415
            COMMENT,
            COMMENT_DECISIONS,
            POST,
            POST_DECISIONS,
        )
        from sharemall.posts.share_targets import PostShareTarget  # noqa: PLC0415

        targets.register(sharing_rules.POST, PostShareTarget())
        # A hidden post or comment can be appealed through community's appeals.
        community.register_decision_type(POST, POST_DECISIONS)
        community.register_decision_type(COMMENT, COMMENT_DECISIONS)
