"""Pages of the buyer area, included by web/urls.py."""

from django.urls import URLPattern, path

from sharemall.web import views_buyer as views

urlpatterns: list[URLPattern] = [
    path("p/<int:product_id>/share", views.product_share, name="buyer_product_share"),
    path("cart", views.cart_page, name="buyer_cart"),
    path("cart/add", views.cart_add, name="buyer_cart_add"),
    path("cart/<int:sku_id>/quantity", views.cart_update, name="buyer_cart_update"),
    path("cart/<int:sku_id>/remove", views.cart_remove, name="buyer_cart_remove"),
    path("checkout", views.checkout_page, name="buyer_checkout"),
    path("checkout/regions", views.regions, name="buyer_regions"),
    path("checkout/pay/<str:payment_no>", views.pay_page, name="buyer_pay"),
    path("checkout/pay/<str:payment_no>/<str:provider>", views.pay_start, name="buyer_pay_start"),
    path("pay-for-me/<str:token>", views.pay_for_me_page, name="buyer_pay_for_me"),
    path("orders", views.orders_page, name="buyer_orders"),
    path("orders/<int:order_id>", views.order_page, name="buyer_order"),
    path(
        "orders/<int:order_id>/confirm-receipt",
        views.order_confirm_receipt,
        name="buyer_order_confirm_receipt",
    ),
    path(
        "orders/<int:order_id>/aftersales", views.aftersale_request, name="buyer_aftersale_request"
    ),
    path(
        "orders/<int:order_id>/lines/<int:line_id>/post",
        views.post_compose,
        name="buyer_post_compose",
    ),
    path(
        "aftersales/<int:aftersale_id>/cancel",
        views.aftersale_cancel,
        name="buyer_aftersale_cancel",
    ),
    path(
        "aftersales/<int:aftersale_id>/return",
        views.aftersale_return,
        name="buyer_aftersale_return",
    ),
    path(
        "aftersales/<int:aftersale_id>/escalate",
        views.aftersale_escalate,
        name="buyer_aftersale_escalate",
    ),
]
