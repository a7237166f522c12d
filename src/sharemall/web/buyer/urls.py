"""Pages of the buyer area, included by web/urls.py."""

from django.urls import URLPattern, path

from sharemall.web.buyer import (
    aftersales,
    browse,
    cart,
    checkout,
    flash,
    me,
    orders,
    pay,
    posts,
    privacy,
    sharing,
)

urlpatterns: list[URLPattern] = [
    # The shell: 分类, 我的 and what 我的 leads to, 附近门店.
    path("categories", browse.categories, name="categories"),
    path("me", me.me, name="me"),
    path("me/addresses", me.me_addresses, name="me_addresses"),
    path(
        "me/addresses/<int:address_id>/default",
        me.me_address_default,
        name="me_address_default",
    ),
    path("me/addresses/<int:address_id>/delete", me.me_address_delete, name="me_address_delete"),
    path("me/messages", me.me_messages, name="me_messages"),
    path("me/messages/<int:message_id>", me.me_message, name="me_message"),
    path("me/settings", me.me_settings, name="me_settings"),
    path("me/settings/export", privacy.me_export, name="me_export"),
    path("me/settings/close", privacy.me_close, name="me_close"),
    path("me/consent", privacy.me_consent, name="me_consent"),
    path(
        "me/settings/notifications",
        me.me_notification_settings,
        name="me_notification_settings",
    ),
    path("stores/nearby", browse.stores_nearby, name="stores_nearby"),
    path("stores/nearby/list", browse.stores_nearby_list, name="stores_nearby_list"),
    path("p/<int:product_id>/share", sharing.product_share, name="buyer_product_share"),
    path("flash", flash.flash_list, name="buyer_flash_list"),
    path("flash/<int:sale_id>", flash.flash_page, name="buyer_flash"),
    path("cart", cart.cart_page, name="buyer_cart"),
    path("cart/add", cart.cart_add, name="buyer_cart_add"),
    path("cart/<int:sku_id>/quantity", cart.cart_update, name="buyer_cart_update"),
    path("cart/<int:sku_id>/remove", cart.cart_remove, name="buyer_cart_remove"),
    path("checkout", checkout.checkout_page, name="buyer_checkout"),
    path("checkout/regions", checkout.regions, name="buyer_regions"),
    path("checkout/quote", checkout.quote_summary, name="buyer_checkout_quote"),
    path("checkout/pay/<str:payment_no>", pay.pay_page, name="buyer_pay"),
    path("checkout/pay/<str:payment_no>/<str:provider>", pay.pay_start, name="buyer_pay_start"),
    path("pay-for-me/<str:token>", pay.pay_for_me_page, name="buyer_pay_for_me"),
    path("orders", orders.orders_page, name="buyer_orders"),
    path("orders/<int:order_id>", orders.order_page, name="buyer_order"),
    path(
        "orders/<int:order_id>/confirm-receipt",
        orders.order_confirm_receipt,
        name="buyer_order_confirm_receipt",
    ),
    path(
        "orders/<int:order_id>/aftersales",
        aftersales.aftersale_request,
        name="buyer_aftersale_request",
    ),
    path(
        "orders/<int:order_id>/aftersales/new",
        aftersales.aftersale_new,
        name="buyer_aftersale_new",
    ),
    path("aftersales/<int:aftersale_id>", aftersales.aftersale_page, name="buyer_aftersale"),
    path(
        "orders/<int:order_id>/lines/<int:line_id>/post",
        posts.post_compose,
        name="buyer_post_compose",
    ),
    path(
        "aftersales/<int:aftersale_id>/cancel",
        aftersales.aftersale_cancel,
        name="buyer_aftersale_cancel",
    ),
    path(
        "aftersales/<int:aftersale_id>/return",
        aftersales.aftersale_return,
        name="buyer_aftersale_return",
    ),
    path(
        "aftersales/<int:aftersale_id>/escalate",
        aftersales.aftersale_escalate,
        name="buyer_aftersale_escalate",
    ),
    path("posts/<int:post_id>/report", posts.post_report, name="buyer_post_report"),
]
