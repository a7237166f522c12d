from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromotionsConfig(AppConfig):
    name = "sharemall.promotions"
    label = "promotions"
    verbose_name = _("Promotions")

    def ready(self) -> None:
        # Each tool registers its offer handler when its services module is imported.
        from sharemall.promotions.services import bargains, groups  # noqa: F401, PLC0415
