from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WechatConfig(AppConfig):
    """Our side of WeChat: the official account's server, OAuth and mini-program log-in, JS-SDK
    share cards, QR codes that bind, subscribe messages and merchants' own accounts."""

    name = "sharemall.wechat"
    label = "wechat"
    verbose_name = _("WeChat")

    def ready(self) -> None:
        # Subscribe messages are the notifications' WeChat channel.
        from sharemall.notifications import rules as notices  # noqa: PLC0415
        from sharemall.notifications.services import register_sender  # noqa: PLC0415
        from sharemall.wechat.subscribe import send  # noqa: PLC0415

        register_sender(notices.WECHAT, send)
