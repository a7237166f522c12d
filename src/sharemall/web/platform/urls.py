"""Pages of the platform area, included by web/urls.py at "platform/"."""

from django.urls import URLPattern, path, register_converter

from sharemall.web.platform import (
    agents,
    banners,
    campaigns,
    community,
    coupons,
    dashboard,
    disputes,
    holds,
    legal,
    merchants,
    posts,
    propagation,
    quality,
    settings,
    wechat,
    withdrawals,
)


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
    path("", dashboard.dashboard, name="platform_dashboard"),
    path("propagation", propagation.propagation, name="platform_propagation"),
    path("campaigns", campaigns.campaigns, name="platform_campaigns"),
    path("quality", quality.quality, name="platform_quality"),
    path("coupons", coupons.coupons, name="platform_coupons"),
    path("coupons/<platform_id:coupon_id>/stop", coupons.coupon_stop, name="platform_coupon_stop"),
    path("merchants", merchants.merchants, name="platform_merchants"),
    path("merchants/<platform_id:merchant_id>", merchants.merchant, name="platform_merchant"),
    path(
        "merchants/<platform_id:merchant_id>/approve",
        merchants.merchant_approve,
        name="platform_merchant_approve",
    ),
    path(
        "merchants/<platform_id:merchant_id>/reject",
        merchants.merchant_reject,
        name="platform_merchant_reject",
    ),
    path(
        "merchants/<platform_id:merchant_id>/suspend",
        merchants.merchant_suspend,
        name="platform_merchant_suspend",
    ),
    path(
        "merchants/<platform_id:merchant_id>/reinstate",
        merchants.merchant_reinstate,
        name="platform_merchant_reinstate",
    ),
    path(
        "merchants/<platform_id:merchant_id>/fee",
        merchants.merchant_fee,
        name="platform_merchant_fee",
    ),
    path("members", community.members, name="platform_members"),
    path("members/<platform_id:member_id>", community.member_page, name="platform_member"),
    path(
        "members/<platform_id:member_id>/penalties",
        community.member_penalise,
        name="platform_member_penalise",
    ),
    path("appeals", community.appeals, name="platform_appeals"),
    path(
        "appeals/<platform_id:appeal_id>/review",
        community.appeal_review,
        name="platform_appeal_review",
    ),
    path("convention", community.convention, name="platform_convention"),
    path("disputes", disputes.disputes, name="platform_disputes"),
    path("disputes/<platform_id:dispute_id>", disputes.dispute, name="platform_dispute"),
    path(
        "disputes/<platform_id:dispute_id>/rule",
        disputes.dispute_rule,
        name="platform_dispute_rule",
    ),
    path("holds", holds.holds, name="platform_holds"),
    path("holds/release", holds.holds_release_batch, name="platform_holds_release"),
    path("holds/<platform_id:entry_id>/release", holds.hold_release, name="platform_hold_release"),
    path("holds/<platform_id:entry_id>/reject", holds.hold_reject, name="platform_hold_reject"),
    path("withdrawals", withdrawals.withdrawal_queue, name="platform_withdrawals"),
    path(
        "withdrawals/approve",
        withdrawals.withdrawals_approve_batch,
        name="platform_withdrawals_approve",
    ),
    path(
        "withdrawals/<platform_id:withdrawal_id>/approve",
        withdrawals.withdrawal_approve,
        name="platform_withdrawal_approve",
    ),
    path(
        "withdrawals/<platform_id:withdrawal_id>/reject",
        withdrawals.withdrawal_reject,
        name="platform_withdrawal_reject",
    ),
    path(
        "withdrawals/<platform_id:withdrawal_id>/mark-paid",
        withdrawals.withdrawal_mark_paid,
        name="platform_withdrawal_mark_paid",
    ),
    path(
        "withdrawals/<platform_id:withdrawal_id>/mark-failed",
        withdrawals.withdrawal_mark_failed,
        name="platform_withdrawal_mark_failed",
    ),
    path(
        "withdrawals/<platform_id:withdrawal_id>/retry",
        withdrawals.withdrawal_retry,
        name="platform_withdrawal_retry",
    ),
    path("settings", settings.settings_page, name="platform_settings"),
    path("legal", legal.legal_page, name="platform_legal"),
    path("wechat", wechat.wechat_page, name="platform_wechat"),
    path("posts", posts.posts, name="platform_posts"),
    path("posts/hide", posts.posts_hide_batch, name="platform_posts_hide"),
    path("posts/<platform_id:post_id>/hide", posts.post_hide, name="platform_post_hide"),
    path("posts/<platform_id:post_id>/keep", posts.post_keep, name="platform_post_keep"),
    path("posts/<platform_id:post_id>/restore", posts.post_restore, name="platform_post_restore"),
    path("posts/<platform_id:post_id>/approve", posts.post_approve, name="platform_post_approve"),
    path(
        "comments/<platform_id:comment_id>/hide", posts.comment_hide, name="platform_comment_hide"
    ),
    path(
        "comments/<platform_id:comment_id>/keep", posts.comment_keep, name="platform_comment_keep"
    ),
    path(
        "comments/<platform_id:comment_id>/restore",
        posts.comment_restore,
        name="platform_comment_restore",
    ),
    path("banned-words", posts.banned_words, name="platform_banned_words"),
    path(
        "banned-words/<platform_id:word_id>/remove",
        posts.banned_word_remove,
        name="platform_banned_word_remove",
    ),
    path("agents", agents.agents, name="platform_agents"),
    path("agents/appoint", agents.agent_appoint, name="platform_agent_appoint"),
    path("agents/<platform_id:agent_id>/end", agents.agent_end, name="platform_agent_end"),
    path("partners/add", agents.partner_add, name="platform_partner_add"),
    *banners.urlpatterns,
]
