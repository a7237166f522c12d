"""The matching and feedback pages: 为你推荐 and 我的选品标签 in the distributor centre, 猜你喜欢 on
the home page, 常一起购买 on the product page, the after-sales reason, and the SKU quality
reports of the merchant console (商品质量) and the back office (问题商品).

The recommendation selectors are replaced by fixed answers here: what they pick is the
recommendations app's business; these tests check what the pages make of it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from conftest import Api
from django.utils import timezone
from tests.factories import CategoryFactory, MemberFactory, OperatorFactory, merchant, product
from tests.flows import share

from sharemall.aftersales.models import AfterSale
from sharemall.catalog.models import Product, ProductImage
from sharemall.merchants import services as merchant_services
from sharemall.recommendations import serving
from sharemall.recommendations.models import SharerTags, SkuQuality
from sharemall.recommendations.serving import Recommendation
from sharemall.web.tests.support import browser, order_in, page

pytestmark = pytest.mark.django_db


def pictured(title: str, price_fen: int = 1000, **fields: Any) -> Product:
    item = product(title=title, price_fen=price_fen, **fields)
    ProductImage.objects.create(product=item, image=f"products/{item.pk}.png", position=0)
    return item


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, Any], list[Any]]:
    """Makes a recommendation selector answer `value`; returns the list of what it was asked
    (its first argument)."""

    def answer(name: str, value: Any) -> list[Any]:
        asked: list[Any] = []

        def fake(first: Any, *, limit: int = 0) -> Any:
            asked.append(first)
            return value

        monkeypatch.setattr(serving, name, fake)
        return asked

    return answer


# --- 为你推荐 and 我的选品标签 --------------------------------------------------------------------


def test_a_sharer_sees_picks_with_covers_prices_reasons_and_a_share_button(
    answers: Callable[[str, Any], list[Any]],
) -> None:
    sharer = MemberFactory.create(is_distributor=True)
    tea, cup = pictured("Green tea", 1250), pictured("Tea cup", 3900)
    gone = product(title="Withdrawn kettle", on_sale=False)
    asked = answers(
        "recommended_for_sharer",
        [
            Recommendation(cup.pk, 0.9, ["Your friends buy tea ware"]),
            Recommendation(gone.pk, 0.8, ["Sells fast"]),
            Recommendation(tea.pk, 0.5, ["Few returns"]),
        ],
    )

    html = page(browser(sharer), "/me/distribution/recommended")

    assert asked == [sharer]
    # In the selector's order; a product taken off sale since is left out.
    assert html.index('id="rec-' + str(cup.pk)) < html.index('id="rec-' + str(tea.pk))
    assert "Withdrawn kettle" not in html
    assert f'src="/media/products/{cup.pk}.png"' in html
    assert "¥39.00" in html and "¥12.50" in html
    assert '<span class="reason-chip">Your friends buy tea ware</span>' in html
    assert f'action="/p/{cup.pk}/share"' in html
    # Nothing shared and no tags yet: the list is everyone's, and the page says how to make it
    # theirs.
    assert "Set my selection tags" in html and "sell well with everyone" in html


def test_a_sharer_who_has_shared_is_told_the_picks_follow_their_friends(
    api: Api, answers: Callable[[str, Any], list[Any]]
) -> None:
    answers("recommended_for_sharer", [])
    sharer = MemberFactory.create(is_distributor=True)
    share(api, sharer, product().pk)

    html = page(browser(sharer), "/me/distribution/recommended")

    assert "follow what your friends buy" in html and "sell well with everyone" not in html
    assert "Set my selection tags" in html


def test_the_overview_leads_to_the_picks_and_a_stranger_must_log_in() -> None:
    sharer = MemberFactory.create(is_distributor=True)

    assert 'href="/me/distribution/recommended"' in page(browser(sharer), "/me/distribution")
    for path in ("/me/distribution/recommended", "/me/distribution/tags"):
        answer = browser().get(path)
        assert answer.status_code == 302 and "/login" in answer["Location"]


def test_a_sharer_with_no_picks_is_told_so(answers: Callable[[str, Any], list[Any]]) -> None:
    answers("recommended_for_sharer", [])
    sharer = MemberFactory.create(is_distributor=True)
    SharerTags.objects.create(member=sharer, styles=["简约"])

    html = page(browser(sharer), "/me/distribution/recommended")

    assert "No picks yet" in html
    assert "Set my selection tags" not in html  # they have tags: the row to edit them instead
    assert 'href="/me/distribution/tags"' in html


def test_tags_are_saved_from_the_category_tree_a_price_band_in_yuan_and_style_words() -> None:
    sharer = MemberFactory.create()
    tea = CategoryFactory.create(name="茶")
    green = CategoryFactory.create(name="绿茶", parent=tea)
    client = browser(sharer)
    form = page(client, "/me/distribution/tags")
    assert f'value="{tea.pk}"' in form and f'value="{green.pk}"' in form

    saved = client.post(
        "/me/distribution/tags",
        {
            "categories": [str(green.pk)],
            "price_min": "20",
            "price_max": "99.50",
            "styles": "简约，国潮 户外",
        },
    )

    assert saved.status_code == 302 and saved["Location"] == "/me/distribution/recommended"
    tags = SharerTags.objects.get(member=sharer)
    assert (tags.category_ids, tags.price_min_fen, tags.price_max_fen, tags.styles) == (
        [green.pk],
        2000,
        9950,
        ["简约", "国潮", "户外"],
    )
    again = page(client, "/me/distribution/tags")
    assert f'value="{green.pk}" checked' in again
    assert 'value="99.50"' in again and "简约, 国潮, 户外" in again


def test_refused_tags_say_why_on_the_form_and_save_nothing() -> None:
    sharer = MemberFactory.create()
    client = browser(sharer)

    upside_down = client.post("/me/distribution/tags", {"price_min": "100", "price_max": "10"})
    not_money = client.post("/me/distribution/tags", {"price_min": "lots"})
    unknown = client.post("/me/distribution/tags", {"categories": ["999999"]})

    assert upside_down.status_code == not_money.status_code == unknown.status_code == 400
    assert "The lowest price is above the highest." in upside_down.content.decode()
    assert "Enter an amount in yuan" in not_money.content.decode()
    assert "Select a valid choice" in unknown.content.decode()
    assert not SharerTags.objects.exists()


# --- 猜你喜欢 and 常一起购买 ----------------------------------------------------------------------


def test_the_home_page_shows_what_matching_picks_for_the_visitor_with_why(
    answers: Callable[[str, Any], list[Any]],
) -> None:
    tea, cup, pot = pictured("Green tea"), pictured("Tea cup"), pictured("Tea pot")
    asked = answers(
        "recommended_for_buyer",
        [
            Recommendation(pot.pk, 0.9, ["Popular this week"]),
            Recommendation(tea.pk, 0.8, ["Bought with what you bought"]),
            Recommendation(cup.pk, 0.7, []),
        ],
    )
    member = MemberFactory.create()

    visitor = page(browser(), "/")
    signed_in = page(browser(member), "/")

    assert asked == [None, member]
    shelf = visitor[visitor.index('id="you-may-like"') : visitor.index('id="all-title"')]
    # Whole rows on a phone: two of the three, in the selector's order.
    assert shelf.count('class="card"') == 2
    assert shelf.index("Tea pot") < shelf.index("Green tea") and "Tea cup" not in shelf
    assert '<span class="reason-chip">Popular this week</span>' in shelf
    assert "Best sellers" not in shelf
    assert "Bought with what you bought" in signed_in


def test_the_home_page_falls_back_to_best_sellers_until_matching_answers(
    answers: Callable[[str, Any], list[Any]],
) -> None:
    answers("recommended_for_buyer", [])
    buyer = MemberFactory.create()
    for title in ("Green tea", "Tea cup"):
        order_in(buyer, "paid", title=title)

    html = page(browser(), "/")

    shelf = html[html.index('id="you-may-like"') : html.index('id="all-title"')]
    assert "Best sellers" in shelf and "Green tea" in shelf and "Tea cup" in shelf


def test_the_product_page_shows_what_is_often_bought_with_it(
    answers: Callable[[str, Any], list[Any]],
) -> None:
    tea = pictured("Green tea")
    cup, pot = pictured("Tea cup", 3900), pictured("Tea pot", 12000)
    gone = product(title="Withdrawn kettle", on_sale=False)
    asked = answers("bought_together", [pot.pk, gone.pk, cup.pk])

    html = page(browser(), f"/p/{tea.pk}")

    assert asked == [tea.pk]
    strip = html[html.index('id="together-heading"') :]
    assert strip.index("Tea pot") < strip.index("Tea cup") and "Withdrawn kettle" not in strip
    assert f'src="/media/products/{pot.pk}.png"' in strip
    assert "¥120.00" in strip and "¥39.00" in strip


def test_the_product_page_has_no_strip_when_nothing_goes_with_it(
    answers: Callable[[str, Any], list[Any]],
) -> None:
    answers("bought_together", [])
    assert 'id="together-heading"' not in page(browser(), f"/p/{product().pk}")


# --- the after-sales reason --------------------------------------------------------------------


def test_an_after_sales_request_names_its_reason_from_the_list() -> None:
    buyer = MemberFactory.create()
    order = order_in(buyer, "paid")
    line = order.lines.get()
    client = browser(buyer)
    form = page(client, f"/orders/{order.pk}/aftersales/new")
    assert '<select name="reason_code"' in form
    assert '<option value="damaged">Damaged in transit</option>' in form

    missing = client.post(
        f"/orders/{order.pk}/aftersales",
        {"type": "refund", f"quantity-{line.pk}": "1", "reason": "Cracked"},
    )
    assert missing.status_code == 200 and not AfterSale.objects.exists()
    assert 'href="#id_reason_code"' in missing.content.decode()

    sent = client.post(
        f"/orders/{order.pk}/aftersales",
        {
            "type": "refund",
            "reason_code": "damaged",
            f"quantity-{line.pk}": "1",
            "reason": "Cracked",
        },
    )

    aftersale = AfterSale.objects.get()
    assert sent["Location"] == f"/aftersales/{aftersale.pk}"
    assert (aftersale.reason_code, aftersale.reason) == ("damaged", "Cracked")
    # The buyer and the shop read the reason in words beside what the buyer wrote.
    told = '<strong class="reason-code">Damaged in transit</strong> · Cracked'
    assert told in page(client, f"/aftersales/{aftersale.pk}")
    assert told in page(browser(order.merchant.owner), f"/merchant/aftersales/{aftersale.pk}")


# --- 商品质量 and 问题商品 ---------------------------------------------------------------------


def verdict(item: Product, **fields: Any) -> SkuQuality:
    """The verdict the last training run left on the product's SKU."""
    sku = item.skus.get()
    values: dict[str, Any] = {
        "orders": 40,
        "units": 44,
        "returns": 2,
        "return_rate": 0.05,
        "risk_bound": 0.01,
        "reasons": ["good"],
        "suggestion": "keep",
        "trend": [
            {"week": "2026-11-16", "orders": 10, "returns": 0},
            {"week": "2026-11-23", "orders": 30, "returns": 2},
        ],
        "computed_at": timezone.now() - timedelta(hours=3),
        **fields,
    }
    return SkuQuality.objects.create(
        sku=sku, product_id=item.pk, merchant_id=item.merchant_id, **values
    )


def flawed(item: Product) -> SkuQuality:
    return verdict(
        item,
        orders=60,
        returns=21,
        complaints=4,
        return_rate=0.35,
        complaint_rate=4 / 60,
        risk_bound=0.24,
        rating=2.5,
        rating_count=8,
        demoted=True,
        reasons=["high_returns", "high_complaints", "most_size_fit"],
        return_reasons={"size_fit": 15, "quality": 6},
        suggestion="check_quality",
    )


def test_the_merchant_reads_each_sku_worst_first_with_why_and_what_to_do() -> None:
    shop = merchant()
    fine = product(shop, title="Green tea")
    poor = product(shop, title="Linen shirt")
    verdict(fine)
    flawed(poor)
    verdict(product(title="Another shop's cup"), demoted=True, risk_bound=0.9)

    html = page(browser(shop.owner), "/merchant/quality")

    assert 'href="/merchant/quality"' in html  # in the console's menu
    assert "Another shop's cup" not in html
    assert html.index("Linen shirt") < html.index("Green tea")
    row = html[html.index(f'id="sku-{poor.skus.get().pk}"') :]
    row = row[: row.index("</tr>")]
    assert "规格1" in row and f'href="/merchant/products/{poor.pk}"' in row
    assert "Demoted" in row and "35 %" in row and "2.5" in row
    assert "High return rate" in row
    assert "Buyers often take it to the platform" in row
    assert "Most returns: size or fit" in row
    assert row.index("Size or fit") < row.index("Quality problem") and "× 15" in row
    assert row.count("<rect") == 4  # two weeks of orders and returns
    assert "Check the goods with your supplier" in row


def test_before_any_training_the_shop_s_skus_are_judged_on_the_spot() -> None:
    shop = merchant()
    order_in(MemberFactory.create(), "paid", item=product(shop, title="Linen shirt"))

    html = page(browser(shop.owner), "/merchant/quality")

    assert "Linen shirt" in html and "Too few orders to judge" in html


def test_staff_read_the_report_and_others_do_not() -> None:
    shop = merchant()
    flawed(product(shop, title="Linen shirt"))
    clerk = MemberFactory.create()
    merchant_services.staff_add(shop, phone=clerk.phone)
    stranger_shop = merchant()

    staff_view = page(browser(clerk), "/merchant/quality")
    other_owner = page(browser(stranger_shop.owner), "/merchant/quality")
    no_shop = browser(MemberFactory.create()).get("/merchant/quality")

    assert "Linen shirt" in staff_view and 'href="/p/' in staff_view  # not the editor
    assert "Linen shirt" not in other_owner and "No quality report yet" in other_owner
    assert no_shop.status_code == 302 and no_shop["Location"] == "/merchant/"


def test_operators_see_the_worst_skus_of_every_shop() -> None:
    first, second = merchant(), merchant()
    flawed(product(first, title="Linen shirt"))
    verdict(product(second, title="Green tea"))
    verdict(product(second, title="Tea cup"), returns=0, return_rate=0, risk_bound=0)
    desk = browser(OperatorFactory.create())

    html = page(desk, "/platform/quality")

    assert 'href="/platform/quality"' in html  # in the back office's menu
    assert html.index("Linen shirt") < html.index("Green tea")
    assert first.legal_name in html and second.legal_name in html
    assert "Demoted" in html and "High return rate" in html
    # Nothing against it: not a problem product.
    assert "Tea cup" not in html and "1 more of the worst SKUs" in html


def test_the_reports_say_when_there_is_none_yet_and_members_cannot_open_the_platform_one() -> None:
    assert "No quality report yet" in page(browser(OperatorFactory.create()), "/platform/quality")
    assert "No quality report yet" in page(browser(merchant().owner), "/merchant/quality")
    assert browser(MemberFactory.create()).get("/platform/quality").status_code == 404
