from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Notices to members: a transactional outbox written with the event, read as in-app
    messages and delivered to the other channels (SMS, WeChat) by the worker."""

    name = "sharemall.notifications"
    label = "notifications"
    verbose_name = _("notifications")
