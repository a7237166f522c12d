from django.urls import include, path

from sharemall.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("p/<int:product_id>", views.product, name="product"),
    path("s/<str:code>", views.share_landing, name="share_landing"),
    path("posts/<int:post_id>", views.post_page, name="post"),
    path("substores/<int:member_id>", views.substore_page, name="substore"),
    path("stores/<int:store_id>", views.store_page, name="store"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("register/", views.register, name="register"),
    path("pay/sandbox/<str:payment_no>", views.sandbox_pay, name="sandbox_pay"),
    path("platform/compliance", views.compliance, name="compliance"),
    path(
        "merchant/analytics/propagation",
        views.merchant_propagation,
        name="merchant_propagation",
    ),
    path("healthz", views.healthz, name="healthz"),
    # Each area keeps its own URL module, views module and templates folder.
    path("", include("sharemall.web.urls_buyer")),
    path("me/", include("sharemall.web.urls_distributor")),
    path("merchant/", include("sharemall.web.urls_merchant")),
    path("platform/", include("sharemall.web.urls_platform")),
]
