from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WechatSimConfig(AppConfig):
    """A stand-in for WeChat's servers under WECHAT_SANDBOX (see the package docstring)."""

    name = "sharemall.wechat_sim"
    label = "wechat_sim"
    verbose_name = _("WeChat simulator")
