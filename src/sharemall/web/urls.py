from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from sharemall.web import accounts, convention, health, legal, wechat_pages
from sharemall.web.buyer import catalogue, sandbox
from sharemall.web.merchant import propagation
from sharemall.web.platform import compliance

app_name = "web"


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """/favicon.ico, which browsers ask for on their own (a PDF, a CSV, an old browser)."""
    return HttpResponsePermanentRedirect(static("web/icons/favicon-32.png"))


urlpatterns = [
    path("", catalogue.home, name="home"),
    path("p/<int:product_id>", catalogue.product, name="product"),
    path("s/<str:code>", catalogue.share_landing, name="share_landing"),
    path("posts/<int:post_id>", catalogue.post_page, name="post"),
    path("substores/<int:member_id>", catalogue.substore_page, name="substore"),
    path("stores/<int:store_id>", catalogue.store_page, name="store"),
    path("login/", accounts.login, name="login"),
    path("logout/", accounts.logout, name="logout"),
    path("register/", accounts.register, name="register"),
    path("login/code/", accounts.login_by_code, name="login_by_code"),
    path("password-reset/", accounts.password_reset, name="password_reset"),
    path("wechat/oauth/start", wechat_pages.oauth_start, name="wechat_oauth_start"),
    path("wechat/oauth/callback", wechat_pages.oauth_callback, name="wechat_oauth_callback"),
    path("wechat/oauth/consent", wechat_pages.oauth_consent, name="wechat_consent"),
    path("wechat/share-link", wechat_pages.share_link, name="wechat_share_link"),
    path("pay/sandbox/<str:payment_no>", sandbox.sandbox_pay, name="sandbox_pay"),
    path("platform/compliance", compliance.compliance, name="compliance"),
    path(
        "merchant/analytics/propagation",
        propagation.merchant_propagation,
        name="merchant_propagation",
    ),
    path("legal/<slug:slug>", legal.document, name="legal"),
    path("convention", convention.convention, name="convention"),
    path("healthz", health.healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    # Each area keeps its own package (URL module, one module per feature) and templates folder.
    path("", include("sharemall.web.buyer.urls")),
    path("me/", include("sharemall.web.distributor.urls")),
    path("merchant/", include("sharemall.web.merchant.urls")),
    path("platform/", include("sharemall.web.platform.urls")),
]
