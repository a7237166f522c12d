from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    """Propagation metrics and exports, read across sharing, posts and orders."""

    name = "sharemall.analytics"
    label = "analytics"
    verbose_name = _("Analytics")
