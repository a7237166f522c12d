"""Pages. Each view reads its input, calls selectors or one service, and renders."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from sharemall.accounts import services as accounts
from sharemall.accounts.auth import caller
from sharemall.accounts.models import Member
from sharemall.analytics import selectors as analytics
from sharemall.catalog import selectors as catalog
from sharemall.checkout import services as checkout
from sharemall.core.errors import DomainError, NotFound
from sharemall.core.http import client_address
from sharemall.distribution import selectors as distribution_selectors
from sharemall.distribution import services as distribution
from sharemall.posts import selectors as post_selectors
from sharemall.sharing import rules as sharing_rules
from sharemall.sharing import selectors as sharing_selectors
from sharemall.sharing import services as sharing
from sharemall.web.charts import grouped_bars
from sharemall.web.forms import LoginForm, RegisterForm

PAGE_SIZE = 20
QUERY_MAX = 100
MORE_FROM_SHOP = 4
POSTS_ON_PRODUCT = 10
PHONE_BACKEND = "sharemall.accounts.backends.PhoneBackend"
# Which form field a registration error belongs to, by its domain code.
REGISTER_ERROR_FIELDS = {
    "invalid_phone": "phone",
    "phone_taken": "phone",
    "invalid_nickname": "nickname",
    "invalid_password": "password",
}


def _int_param(raw: str | None) -> int | None:
    try:
        value = int(raw or "")
    except ValueError:
        return None
    # Past the largest id a database column holds, it names nothing (and must not reach SQL).
    return value if 0 < value < 2**63 else None


def _active_root(tree: list[dict[str, object]], category_id: int | None) -> object | None:
    """The top-level category that is, or holds, the chosen one: its children become chips."""
    if category_id is None:
        return None
    for root in tree:
        children = root["children"]
        assert isinstance(children, list)
        if root["id"] == category_id or any(c["id"] == category_id for c in children):
            return root
    return None


def home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:QUERY_MAX]
    category_id = _int_param(request.GET.get("category"))
    products = catalog.storefront_products(query=query, category_id=category_id)
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    categories = catalog.category_tree()
    return render(
        request,
        "web/home.html",
        {
            "page": page,
            "query": query,
            "category_id": category_id,
            "categories": categories,
            "active_root": _active_root(categories, category_id),
        },
    )


def product(request: HttpRequest, product_id: int) -> HttpResponse:
    try:
        item = catalog.product_for_viewer(caller(request), product_id)
    except NotFound:
        return render(request, "web/not_found.html", status=404)
    more = catalog.storefront_products(merchant_id=item.merchant_id).exclude(pk=item.pk)
    prices = [sku.price_fen for sku in item.skus.all()]
    return render(
        request,
        "web/product.html",
        {
            "product": item,
            "price_from": min(prices, default=None),
            "in_stock": any(sku.stock > 0 for sku in item.skus.all()),
            "more": more[:MORE_FROM_SHOP],
            "posts": post_selectors.product_posts(item.pk)[:POSTS_ON_PRODUCT],
        },
    )


def substore_page(request: HttpRequest, member_id: int) -> HttpResponse:
    """A distributor's personal sub-store (个人分店): where a sub-store share lands."""
    store = distribution_selectors.substore_public(member_id)
    if store is None:
        return render(request, "web/not_found.html", status=404)
    ids = [item["id"] for item in store["products"]]
    products = sorted(
        catalog.storefront_products().filter(pk__in=ids), key=lambda p: ids.index(p.pk)
    )
    return render(request, "web/substore.html", {"store": store, "products": products})


def store_page(request: HttpRequest, store_id: int) -> HttpResponse:
    """A merchant's shop or offline store, with what it sells: where a store share lands."""
    store = sharing_selectors.public_store(store_id)
    if store is None:
        return render(request, "web/not_found.html", status=404)
    products = catalog.storefront_products(merchant_id=store.merchant_id)
    page = Paginator(products, PAGE_SIZE).get_page(_int_param(request.GET.get("page")))
    return render(request, "web/store.html", {"store": store, "page": page})


def post_page(request: HttpRequest, post_id: int) -> HttpResponse:
    """A buyer's experience post: where a post's share link lands."""
    try:
        item = post_selectors.post_for_viewer(post_id, caller(request))
        about = catalog.product_for_viewer(caller(request), item.product_id)
    except NotFound:
        return render(request, "web/not_found.html", status=404)
    return render(request, "web/post.html", {"post": item, "product": about})


@never_cache
def share_landing(request: HttpRequest, code: str) -> HttpResponse:
    """/s/<code>: count the visit, remember the share for this browser, go to the target."""
    member = caller(request)
    visitor_id = request.COOKIES.get(sharing_rules.VISITOR_COOKIE, "")
    new_visitor = member is None and not sharing_rules.is_visitor_id(visitor_id)
    if new_visitor:
        visitor_id = sharing_rules.new_visitor_id()
    try:
        result = sharing.click_record(
            code=code,
            visitor_member=member,
            visitor_key=None if member is not None else visitor_id,
            ip=client_address(request),
        )
    except NotFound:
        return render(request, "web/not_found.html", status=404)
    response = HttpResponseRedirect(sharing.target_url(result.link))
    if member is None or member.pk != result.link.sharer_id:
        window = sharing_selectors.attribution_window()
        response.set_signed_cookie(
            sharing_rules.SHARE_COOKIE,
            result.link.code,
            salt=sharing_rules.SHARE_COOKIE_SALT,
            max_age=int(window.total_seconds()),
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    if new_visitor:
        response.set_cookie(
            sharing_rules.VISITOR_COOKIE,
            visitor_id,
            max_age=sharing_rules.VISITOR_COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


def _safe_next(request: HttpRequest, target: str | None) -> str:
    """Only a path on this site: never send a freshly signed-in member somewhere else."""
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return "/"


def _sign_in(request: HttpRequest, member: Member) -> None:
    auth_login(request, member, backend=PHONE_BACKEND)


@sensitive_post_parameters("password")
@never_cache
def login(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = LoginForm(request.POST)
        if form.is_valid():
            try:
                member = accounts.member_login(
                    phone=form.cleaned_data["phone"],
                    password=form.cleaned_data["password"],
                    address=client_address(request),
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                _sign_in(request, member)
                return HttpResponseRedirect(_safe_next(request, form.cleaned_data["next"]))
    else:
        form = LoginForm(initial={"next": request.GET.get("next", "")})
    return render(request, "web/login.html", {"form": form})


@sensitive_post_parameters("password")
@never_cache
def register(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = RegisterForm(request.POST)
        if form.is_valid():
            try:
                member = distribution.member_signup(
                    phone=form.cleaned_data["phone"],
                    nickname=form.cleaned_data["nickname"],
                    password=form.cleaned_data["password"],
                    address=client_address(request),
                    share_code=sharing_selectors.code_from_cookie(request),
                )
            except DomainError as exc:
                form.add_error(REGISTER_ERROR_FIELDS.get(exc.code), exc.message)
            else:
                _sign_in(request, member)
                messages.success(
                    request, _("Welcome to ShareMall, %(name)s!") % {"name": member.nickname}
                )
                return HttpResponseRedirect(_safe_next(request, form.cleaned_data["next"]))
    else:
        form = RegisterForm(initial={"next": request.GET.get("next", "")})
    return render(request, "web/register.html", {"form": form})


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    return HttpResponseRedirect("/")


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@never_cache
def sandbox_pay(request: HttpRequest, payment_no: str) -> HttpResponse:
    """The sandbox's pay page: a signed-in buyer (or the friend paying for them) pays."""
    member = caller(request)
    if not settings.SANDBOX_PAYMENTS:
        return render(request, "web/not_found.html", status=404)
    if member is None:
        return redirect_to_login(request.get_full_path())
    payment = checkout.payment_payable_by(member, payment_no)
    if payment is None:
        return render(request, "web/not_found.html", status=404)
    if request.method == "POST":
        try:
            checkout.sandbox_pay_page_complete(payment, member)
        except DomainError as exc:
            messages.error(request, exc.message)
        payment.refresh_from_db()
    return render(request, "web/sandbox_pay.html", {"payment": payment})


@never_cache
def compliance(request: HttpRequest) -> HttpResponse:
    """The compliance report for operators (PRODUCT §5.2): rules, levels paid, no sign-up pay."""
    member = caller(request)
    if member is None:
        return redirect_to_login(request.get_full_path())
    if not member.is_operator:
        return render(request, "web/not_found.html", status=404)
    return render(request, "web/compliance.html", {"report": distribution.compliance_report()})


@never_cache
def merchant_propagation(request: HttpRequest) -> HttpResponse:
    """How a product or a post spread, for its merchant: charts by degree and by day, CSV."""
    member = caller(request)
    if member is None:
        return redirect_to_login(request.get_full_path())
    product_id = _int_param(request.GET.get("product_id"))
    post_id = _int_param(request.GET.get("post_id"))
    try:
        report = analytics.propagation(member, product_id=product_id, post_id=post_id)
    except DomainError:
        # Another merchant's product looks like no product at all; a bad query likewise.
        return render(request, "web/not_found.html", status=404)
    query = f"post_id={post_id}" if post_id else f"product_id={report.product_id}"
    return render(
        request,
        "web/propagation.html",
        {
            "report": report,
            "product": catalog.product_for_viewer(member, report.product_id),
            "csv_url": f"/api/v1/analytics/propagation.csv?{query}",
            "by_degree_chart": grouped_bars(
                [(str(row.degree), (row.clicks, row.orders)) for row in report.by_degree]
            ),
            "daily_chart": grouped_bars(
                [(day["date"].strftime("%m-%d"), (day["clicks"],)) for day in report.series],
                label_every=7,
            ),
        },
    )
