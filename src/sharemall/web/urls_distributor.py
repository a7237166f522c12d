"""Pages of the distributor area, included by web/urls.py at "me/distribution"."""

from django.urls import URLPattern, path

from sharemall.web import views_distributor as views

urlpatterns: list[URLPattern] = [
    path("distribution", views.overview, name="distributor_overview"),
    path("distribution/enable", views.enable, name="distributor_enable"),
    path("distribution/substore-link", views.substore_link, name="distributor_substore_link"),
    path("distribution/team", views.team, name="distributor_team"),
    path("distribution/commissions", views.commissions, name="distributor_commissions"),
    path("distribution/substore", views.substore, name="distributor_substore"),
    path("distribution/withdraw", views.withdraw, name="distributor_withdraw"),
    path("distribution/withdraw/fee", views.withdraw_fee, name="distributor_withdraw_fee"),
]
