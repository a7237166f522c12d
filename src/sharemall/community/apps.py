from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    """The community convention (社区公约), penalties on members and appeals of decisions."""

    name = "sharemall.community"
    label = "community"
    verbose_name = _("Community convention")

    def ready(self) -> None:
        # Penalties are appealable like the decisions other apps register; the services module
        # reads models, which exist only once the app registry is ready.
        from sharemall.community import services  # noqa: PLC0415

        services.register_decision_type(services.PENALTY_DECISION, services.PenaltyDecisions())
