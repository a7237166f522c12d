"""Pages of the merchant area (the merchant console), included by web/urls.py at /merchant/."""

from django.urls import URLPattern, path

from sharemall.web.merchant import (
    aftersales,
    freight,
    home,
    order_sheets,
    orders,
    plans,
    product_import,
    products,
    staff,
    stores,
)

urlpatterns: list[URLPattern] = [
    path("", home.merchant_home, name="merchant_home"),
    path("application", home.merchant_application, name="merchant_application"),
    path("licence", home.merchant_licence, name="merchant_licence"),
    path("certification", home.merchant_certification, name="merchant_certification"),
    path("stores", stores.merchant_stores, name="merchant_stores"),
    path("stores/new", stores.merchant_store_new, name="merchant_store_new"),
    path("stores/regions", stores.merchant_regions, name="merchant_regions"),
    path("stores/<int:store_id>", stores.merchant_store_edit, name="merchant_store_edit"),
    path("return-address", stores.merchant_return_address, name="merchant_return_address"),
    path(
        "stores/<int:store_id>/return-address",
        stores.merchant_store_return_address,
        name="merchant_store_return_address",
    ),
    path("staff", staff.merchant_staff, name="merchant_staff"),
    path(
        "staff/<int:member_id>/remove",
        staff.merchant_staff_remove,
        name="merchant_staff_remove",
    ),
    path("products", products.merchant_products, name="merchant_products"),
    path("products/new", products.merchant_product_new, name="merchant_product_new"),
    path("products/batch", products.merchant_products_batch, name="merchant_products_batch"),
    path("products/import", product_import.merchant_import, name="merchant_import"),
    path(
        "products/import/sample.csv",
        product_import.merchant_import_template,
        name="merchant_import_template",
    ),
    path("products/<int:product_id>", products.merchant_product, name="merchant_product"),
    path(
        "products/<int:product_id>/publish",
        products.merchant_product_publish,
        name="merchant_product_publish",
    ),
    path(
        "products/<int:product_id>/unpublish",
        products.merchant_product_unpublish,
        name="merchant_product_unpublish",
    ),
    path(
        "products/<int:product_id>/images",
        products.merchant_product_image,
        name="merchant_product_image",
    ),
    path(
        "products/<int:product_id>/images/<int:image_id>/remove",
        products.merchant_product_image_remove,
        name="merchant_product_image_remove",
    ),
    path("products/<int:product_id>/skus", products.merchant_sku_add, name="merchant_sku_add"),
    path(
        "products/<int:product_id>/plan",
        plans.merchant_product_plan,
        name="merchant_product_plan",
    ),
    path("skus/<int:sku_id>", products.merchant_sku_edit, name="merchant_sku_edit"),
    path("freight", freight.merchant_freight, name="merchant_freight"),
    path("freight/new", freight.merchant_freight_new, name="merchant_freight_new"),
    path("freight/<int:template_id>", freight.merchant_freight_edit, name="merchant_freight_edit"),
    path(
        "freight/<int:template_id>/delete",
        freight.merchant_freight_delete,
        name="merchant_freight_delete",
    ),
    path("plan", plans.merchant_plan, name="merchant_plan"),
    path("plan/check", plans.merchant_plan_check, name="merchant_plan_check"),
    path("orders", orders.merchant_orders, name="merchant_orders"),
    path(
        "orders/ship-batch",
        order_sheets.merchant_orders_ship_batch,
        name="merchant_orders_ship_batch",
    ),
    path(
        "orders/ship-batch/template.csv",
        order_sheets.merchant_orders_ship_template,
        name="merchant_orders_ship_template",
    ),
    path("orders/export", order_sheets.merchant_orders_export, name="merchant_orders_export"),
    path("orders/<int:order_id>", orders.merchant_order, name="merchant_order"),
    path("orders/<int:order_id>/ship", orders.merchant_order_ship, name="merchant_order_ship"),
    path("orders/<int:order_id>/ready", orders.merchant_order_ready, name="merchant_order_ready"),
    path("pickups", orders.merchant_pickups, name="merchant_pickups"),
    path("aftersales", aftersales.merchant_aftersales, name="merchant_aftersales"),
    path("aftersales/<int:aftersale_id>", aftersales.merchant_aftersale, name="merchant_aftersale"),
    path(
        "aftersales/<int:aftersale_id>/approve",
        aftersales.merchant_aftersale_approve,
        name="merchant_aftersale_approve",
    ),
    path(
        "aftersales/<int:aftersale_id>/reject",
        aftersales.merchant_aftersale_reject,
        name="merchant_aftersale_reject",
    ),
    path(
        "aftersales/<int:aftersale_id>/confirm-return",
        aftersales.merchant_aftersale_confirm_return,
        name="merchant_aftersale_confirm_return",
    ),
]
