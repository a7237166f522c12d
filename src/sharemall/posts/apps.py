from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostsConfig(AppConfig):
    """Verified buyers' experience posts, their photos, reports and the platform's moderation."""

    name = "sharemall.posts"
    label = "posts"
    verbose_name = _("Experience posts")
