"""Pages of the merchant area (the merchant console), included by web/urls.py at /merchant/."""

from django.urls import URLPattern, path

from sharemall.web import views_merchant as views

urlpatterns: list[URLPattern] = [
    path("", views.merchant_home, name="merchant_home"),
    path("application", views.merchant_application, name="merchant_application"),
    path("licence", views.merchant_licence, name="merchant_licence"),
    path("stores", views.merchant_stores, name="merchant_stores"),
    path("stores/new", views.merchant_store_new, name="merchant_store_new"),
    path("stores/regions", views.merchant_regions, name="merchant_regions"),
    path("stores/<int:store_id>", views.merchant_store_edit, name="merchant_store_edit"),
    path("staff", views.merchant_staff, name="merchant_staff"),
    path(
        "staff/<int:member_id>/remove",
        views.merchant_staff_remove,
        name="merchant_staff_remove",
    ),
    path("products", views.merchant_products, name="merchant_products"),
    path("products/new", views.merchant_product_new, name="merchant_product_new"),
    path("products/import", views.merchant_import, name="merchant_import"),
    path(
        "products/import/sample.csv",
        views.merchant_import_template,
        name="merchant_import_template",
    ),
    path("products/<int:product_id>", views.merchant_product, name="merchant_product"),
    path(
        "products/<int:product_id>/publish",
        views.merchant_product_publish,
        name="merchant_product_publish",
    ),
    path(
        "products/<int:product_id>/unpublish",
        views.merchant_product_unpublish,
        name="merchant_product_unpublish",
    ),
    path(
        "products/<int:product_id>/images",
        views.merchant_product_image,
        name="merchant_product_image",
    ),
    path(
        "products/<int:product_id>/images/<int:image_id>/remove",
        views.merchant_product_image_remove,
        name="merchant_product_image_remove",
    ),
    path("products/<int:product_id>/skus", views.merchant_sku_add, name="merchant_sku_add"),
    path(
        "products/<int:product_id>/plan",
        views.merchant_product_plan,
        name="merchant_product_plan",
    ),
    path("skus/<int:sku_id>", views.merchant_sku_edit, name="merchant_sku_edit"),
    path("plan", views.merchant_plan, name="merchant_plan"),
    path("plan/check", views.merchant_plan_check, name="merchant_plan_check"),
    path("orders", views.merchant_orders, name="merchant_orders"),
    path("orders/<int:order_id>", views.merchant_order, name="merchant_order"),
    path("orders/<int:order_id>/ship", views.merchant_order_ship, name="merchant_order_ship"),
    path("orders/<int:order_id>/ready", views.merchant_order_ready, name="merchant_order_ready"),
    path("pickups", views.merchant_pickups, name="merchant_pickups"),
    path("aftersales", views.merchant_aftersales, name="merchant_aftersales"),
    path("aftersales/<int:aftersale_id>", views.merchant_aftersale, name="merchant_aftersale"),
    path(
        "aftersales/<int:aftersale_id>/approve",
        views.merchant_aftersale_approve,
        name="merchant_aftersale_approve",
    ),
    path(
        "aftersales/<int:aftersale_id>/reject",
        views.merchant_aftersale_reject,
        name="merchant_aftersale_reject",
    ),
    path(
        "aftersales/<int:aftersale_id>/confirm-return",
        views.merchant_aftersale_confirm_return,
        name="merchant_aftersale_confirm_return",
    ),
]
