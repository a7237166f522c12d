from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShowcaseConfig(AppConfig):
    """What the storefront's home puts in front of shoppers: the banners operators manage."""

    name = "sharemall.showcase"
    label = "showcase"
    verbose_name = _("Storefront showcase")
