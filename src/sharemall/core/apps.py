from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sharemall.core"
    label = "core"
