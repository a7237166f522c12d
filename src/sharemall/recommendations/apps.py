from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecommendationsConfig(AppConfig):
    """Matching products to sharers and buyers, and the quality feedback that demotes bad SKUs."""

    name = "sharemall.recommendations"
    label = "recommendations"
    verbose_name = _("Recommendations")
