from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """Holds the `sharemall` management commands; owns no tables."""

    name = "sharemall.config"
    label = "sharemall_config"
