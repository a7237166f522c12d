"""The site's URLs with the WeChat simulator mounted, as `sharemall serve` has them under
WECHAT_SANDBOX=1 (config/urls.py mounts it only then, and tests run with it off)."""

from django.urls import include, path

from sharemall.config.urls import urlpatterns as site

urlpatterns = [path("wechat-sim/", include("sharemall.wechat_sim.urls")), *site]
