"""Pages of the distributor area, included by web/urls.py at "me/distribution"."""

from django.urls import URLPattern, path

from sharemall.web.distributor import (
    binding,
    commissions,
    matching,
    overview,
    substore,
    team,
    withdrawals,
)

urlpatterns: list[URLPattern] = [
    path("distribution", overview.overview, name="distributor_overview"),
    path("distribution/enable", overview.enable, name="distributor_enable"),
    path("distribution/substore-link", overview.substore_link, name="distributor_substore_link"),
    path("distribution/team", team.team, name="distributor_team"),
    path("distribution/binding", binding.binding, name="distributor_binding"),
    path("distribution/commissions", commissions.commissions, name="distributor_commissions"),
    path("distribution/substore", substore.substore, name="distributor_substore"),
    path("distribution/recommended", matching.recommended, name="distributor_recommended"),
    path("distribution/tags", matching.tags, name="distributor_tags"),
    path("distribution/withdraw", withdrawals.withdraw, name="distributor_withdraw"),
    path("distribution/withdraw/fee", withdrawals.withdraw_fee, name="distributor_withdraw_fee"),
]
