from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "sharemall.web"
    label = "web"
