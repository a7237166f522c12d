"""Pages of the platform area, included by web/urls.py at "platform/"."""

from django.urls import URLPattern, path, register_converter

from sharemall.web import views_platform as views


class RowId:
    """An id a database column can hold: longer numbers name nothing and get the 404 page
    instead of reaching SQL."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(RowId, "platform_id")

urlpatterns: list[URLPattern] = [
    path("", views.dashboard, name="platform_dashboard"),
    path("merchants", views.merchants, name="platform_merchants"),
    path("merchants/<platform_id:merchant_id>", views.merchant, name="platform_merchant"),
    path(
        "merchants/<platform_id:merchant_id>/approve",
        views.merchant_approve,
        name="platform_merchant_approve",
    ),
    path(
        "merchants/<platform_id:merchant_id>/reject",
        views.merchant_reject,
        name="platform_merchant_reject",
    ),
    path(
        "merchants/<platform_id:merchant_id>/suspend",
        views.merchant_suspend,
        name="platform_merchant_suspend",
    ),
    path(
        "merchants/<platform_id:merchant_id>/reinstate",
        views.merchant_reinstate,
        name="platform_merchant_reinstate",
    ),
    path("disputes", views.disputes, name="platform_disputes"),
    path("disputes/<platform_id:dispute_id>", views.dispute, name="platform_dispute"),
    path(
        "disputes/<platform_id:dispute_id>/rule", views.dispute_rule, name="platform_dispute_rule"
    ),
    path("holds", views.holds, name="platform_holds"),
    path("holds/<platform_id:entry_id>/release", views.hold_release, name="platform_hold_release"),
    path("holds/<platform_id:entry_id>/reject", views.hold_reject, name="platform_hold_reject"),
    path("withdrawals", views.withdrawal_queue, name="platform_withdrawals"),
    path(
        "withdrawals/<platform_id:withdrawal_id>/approve",
        views.withdrawal_approve,
        name="platform_withdrawal_approve",
    ),
    path(
        "withdrawals/<platform_id:withdrawal_id>/reject",
        views.withdrawal_reject,
        name="platform_withdrawal_reject",
    ),
    path(
        "withdrawals/<platform_id:withdrawal_id>/mark-paid",
        views.withdrawal_mark_paid,
        name="platform_withdrawal_mark_paid",
    ),
    path(
        "withdrawals/<platform_id:withdrawal_id>/mark-failed",
        views.withdrawal_mark_failed,
        name="platform_withdrawal_mark_failed",
    ),
    path(
        "withdrawals/<platform_id:withdrawal_id>/retry",
        views.withdrawal_retry,
        name="platform_withdrawal_retry",
    ),
    path("settings", views.settings_page, name="platform_settings"),
    path("posts", views.posts, name="platform_posts"),
    path("posts/<platform_id:post_id>/hide", views.post_hide, name="platform_post_hide"),
    path("posts/<platform_id:post_id>/keep", views.post_keep, name="platform_post_keep"),
    path("posts/<platform_id:post_id>/restore", views.post_restore, name="platform_post_restore"),
    path("banned-words", views.banned_words, name="platform_banned_words"),
    path(
        "banned-words/<platform_id:word_id>/remove",
        views.banned_word_remove,
        name="platform_banned_word_remove",
    ),
    path("agents", views.agents, name="platform_agents"),
    path("agents/appoint", views.agent_appoint, name="platform_agent_appoint"),
    path("agents/<platform_id:agent_id>/end", views.agent_end, name="platform_agent_end"),
    path("partners/add", views.partner_add, name="platform_partner_add"),
]
