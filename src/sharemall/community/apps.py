from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    """The community convention (社区公约), penalties on members and appeals of decisions."""

    name = "sharemall.community"
    label = "community"
    verbose_name = _("Community convention")
