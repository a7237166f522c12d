from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FreightConfig(AppConfig):
    """What a parcel costs: each merchant's freight templates, which its products name."""

    name = "sharemall.freight"
    label = "freight"
    verbose_name = _("Freight")
