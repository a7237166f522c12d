"""Experience posts through the API: who may post, safe photos, moderation, and sales through
a post's share link."""

from __future__ import annotations

import io
from typing import Any

import pytest
from conftest import Api
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from sharemall.accounts.models import Member
from sharemall.catalog.models import Product
from sharemall.orders.models import Order
from sharemall.posts.models import Post, PostImage
from sharemall.sharing.poster import _poster_subject
from sharemall.sharing.selectors import link_by_code
from tests.factories import MemberFactory, OperatorFactory, merchant, product
from tests.flows import buy, buy_and_receive, pay, share

pytestmark = pytest.mark.django_db

PLAN = {"share_budget_bp": 2000, "buyer_discount_bp": 500, "level_bp": [800, 400, 200]}
GPS_IFD = 0x8825


def jpeg_with_gps(size: tuple[int, int] = (64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[GPS_IFD] = {1: "N", 2: (22.0, 32.0, 10.5), 3: "E", 4: (113.0, 56.0, 7.25)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png_bytes(size: tuple[int, int] = (30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (0, 90, 200)).save(out, format="PNG")
    return out.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> Any:
    return SimpleUploadedFile(name, data, content_type=content_type)


def post(
    api: Api,
    author: Member | str,
    line_id: int,
    *,
    text: str = "用了一周，很满意。",
    rating: int | str = 5,
    images: list[Any] | None = None,
) -> Any:
    data: dict[str, Any] = {"order_line_id": line_id, "text": text, "rating": rating}
    if images:
        data["images"] = images
    return api.call("POST", "/posts", data=data, as_=author)


@pytest.fixture
def shop(api: Api) -> tuple[Product, Member]:
    m = merchant()
    p = product(m, price_fen=10000, stock=100)
    assert api.put(f"/merchants/{m.pk}/commission-plan", PLAN, as_=m.owner).status == 200
    return p, m.owner


@pytest.fixture
def received(api: Api, shop: tuple[Product, Member]) -> tuple[Member, int]:
    p, owner = shop
    buyer = MemberFactory.create()
    created = buy_and_receive(api, buyer, p.skus.get(), owner)
    return buyer, created["orders"][0]["lines"][0]["id"]


def test_the_buyer_of_a_received_line_posts_once_with_photos_stripped_of_gps(
    api: Api, shop: tuple[Product, Member], received: tuple[Member, int]
) -> None:
    p, _owner = shop
    buyer, line_id = received
    answer = post(
        api, buyer, line_id, images=[upload(jpeg_with_gps()), upload(png_bytes(), "b.png")]
    )
    assert answer.status == 201, answer.body
    assert set(answer.body) >= {"id", "share_code"}
    assert len(answer.body["share_code"]) >= 8

    [listed] = api.get(f"/products/{p.pk}/posts").body
    assert listed["id"] == answer.body["id"]
    assert listed["author_id"] == buyer.pk
    assert listed["rating"] == 5
    assert listed["text"] == "用了一周，很满意。"
    assert len(listed["images"]) == 2 and len(listed["thumbnails"]) == 2
    assert listed["share_code"] == answer.body["share_code"]

    served = Client().get(listed["images"][0])
    assert served.status_code == 200
    photo = Image.open(io.BytesIO(b"".join(served.streaming_content)))
    assert photo.format == "JPEG"
    assert photo.size == (64, 48)
    assert not photo.getexif()
    assert GPS_IFD not in photo.getexif()
    thumb = Client().get(listed["thumbnails"][1])
    assert thumb.status_code == 200

    again = post(api, buyer, line_id)
    assert (again.status, again.error_code) == (400, "not_eligible")
    assert Post.objects.count() == 1


def test_nobody_posts_before_receipt_or_about_someone_elses_line(
    api: Api, shop: tuple[Product, Member], received: tuple[Member, int]
) -> None:
    p, owner = shop
    _buyer, line_id = received
    stranger = MemberFactory.create()
    refused = post(api, stranger, line_id)
    assert (refused.status, refused.error_code) == (400, "not_eligible")

    waiting = MemberFactory.create()
    created = buy(api, waiting, p.skus.get())
    paid_line = created["orders"][0]["lines"][0]["id"]
    assert post(api, waiting, paid_line).error_code == "not_eligible"
    pay(api, waiting, created["payment_id"])
    assert post(api, waiting, paid_line).error_code == "not_eligible"
    api.post(
        f"/orders/{created['orders'][0]['id']}/ship",
        {"carrier": "SF", "tracking_no": "SF1"},
        as_=owner,
    )
    assert post(api, waiting, paid_line).error_code == "not_eligible"
    assert post(api, waiting, 999_999).error_code == "not_eligible"
    assert post(api, None, line_id).status == 401  # type: ignore[arg-type]
    assert Post.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"rating": 0}, "invalid_post"),
        ({"rating": 6}, "invalid_post"),
        ({"rating": "five"}, "invalid_input"),
        ({"text": "   "}, "invalid_post"),
        ({"text": "好" * 2001}, "invalid_post"),
        ({"text": "想要优惠的加 微 信 abc123"}, "banned_words"),
        ({"text": "ＡＢ好评返现ＣＤ"}, "banned_words"),
    ],
)
def test_bad_posts_are_refused_and_write_nothing(
    api: Api, received: tuple[Member, int], fields: dict[str, Any], code: str
) -> None:
    buyer, line_id = received
    answer = post(api, buyer, line_id, **fields)
    assert (answer.status, answer.error_code) == (400, code)
    assert Post.objects.count() == 0


def test_a_post_of_exactly_2000_characters_is_accepted(
    api: Api, received: tuple[Member, int]
) -> None:
    buyer, line_id = received
    assert post(api, buyer, line_id, text="好" * 2000, rating=1).status == 201


def test_a_bad_photo_refuses_the_whole_post_and_leaves_no_file(
    api: Api, received: tuple[Member, int], settings: Any
) -> None:
    buyer, line_id = received
    script = upload(b"<script>alert(document.cookie)</script>", "photo.jpg")
    answer = post(api, buyer, line_id, images=[upload(png_bytes(), "ok.png"), script])
    assert (answer.status, answer.error_code) == (400, "invalid_image")
    assert "2" in answer.body["error"]["message"]
    assert Post.objects.count() == 0 and PostImage.objects.count() == 0
    media = settings.MEDIA_ROOT
    # The shop's licence image is there; no photo of the refused post is.
    left = [p for p in media.rglob("*") if p.is_file() and "licences" not in p.parts]
    assert left == []


def test_ten_photos_are_too_many(api: Api, received: tuple[Member, int]) -> None:
    buyer, line_id = received
    photos = [upload(png_bytes(), f"{i}.png") for i in range(10)]
    answer = post(api, buyer, line_id, images=photos)
    assert (answer.status, answer.error_code) == (400, "invalid_post")


def test_operators_can_ban_more_words(
    api: Api, received: tuple[Member, int], operator: Member
) -> None:
    buyer, line_id = received
    added = api.post("/platform/banned-words", {"word": "假货"}, as_=operator)
    assert added.status == 201
    answer = post(api, buyer, line_id, text="这不是假 货")
    assert (answer.status, answer.error_code) == (400, "banned_words")
    assert answer.body["error"]["details"] == {"words": ["假货"]}
    assert api.delete(f"/platform/banned-words/{added.body['id']}", as_=operator).status == 204
    assert post(api, buyer, line_id, text="这不是假 货").status == 201


def test_a_purchase_through_a_post_link_attributes_to_the_author_with_the_discount(
    api: Api, shop: tuple[Product, Member], received: tuple[Member, int]
) -> None:
    p, _owner = shop
    author, line_id = received
    code = post(api, author, line_id, rating=2).body["share_code"]
    reader = MemberFactory.create()
    created = buy(api, reader, p.skus.get(), share_code=code)
    assert created["amount_fen"] == 10000 - 10000 * 500 // 10_000
    order = Order.objects.get(pk=created["orders"][0]["id"])
    assert (order.referrer_id, order.attribution, order.degree) == (author.pk, "share", 1)

    # Anyone can share the post again; their readers' purchases are theirs.
    post_id = Post.objects.get().pk
    resharer = MemberFactory.create()
    recode = share(api, resharer, post_id, target_type="post")
    second = buy(api, MemberFactory.create(), p.skus.get(), share_code=recode)
    assert Order.objects.get(pk=second["orders"][0]["id"]).referrer_id == resharer.pk


def test_reports_reach_the_queue_and_only_operators_hide_citing_a_rule(
    api: Api, shop: tuple[Product, Member], received: tuple[Member, int]
) -> None:
    p, owner = shop
    author, line_id = received
    post_id = post(api, author, line_id, text="质量很差，不推荐。", rating=1).body["id"]
    reader = MemberFactory.create()
    assert api.post(f"/posts/{post_id}/report", {"reason": "spam"}, as_=reader).status == 201
    again = api.post(f"/posts/{post_id}/report", {"reason": "spam"}, as_=reader)
    assert (again.status, again.error_code) == (409, "already_reported")
    own = api.post(f"/posts/{post_id}/report", {"reason": "spam"}, as_=author)
    assert own.error_code == "invalid_post"
    bad = api.post(f"/posts/{post_id}/report", {"reason": "dislike"}, as_=reader)
    assert bad.error_code == "invalid_post"

    operator = OperatorFactory.create()
    [queued] = api.get("/platform/post-reports", as_=operator).body
    assert (queued["id"], queued["open_reports"], queued["reasons"]) == (post_id, 1, {"spam": 1})

    # The merchant of a negative post can neither hide nor delete it.
    assert api.post(f"/platform/posts/{post_id}/hide", {"rule": "spam"}, as_=owner).status == 403
    assert api.delete(f"/posts/{post_id}", as_=owner).status == 404
    assert len(api.get(f"/products/{p.pk}/posts").body) == 1

    no_rule = api.post(f"/platform/posts/{post_id}/hide", {"rule": "ugly"}, as_=operator)
    assert no_rule.error_code == "invalid_moderation"
    hidden = api.post(
        f"/platform/posts/{post_id}/hide", {"rule": "not_genuine", "note": "刷评"}, as_=operator
    )
    assert hidden.body == {"id": post_id, "status": "hidden", "hidden_rule": "not_genuine"}
    assert api.get(f"/products/{p.pk}/posts").body == []
    assert api.get("/platform/post-reports", as_=operator).body == []
    assert api.get(f"/posts/{post_id}", as_=reader).status == 404
    mine = api.get(f"/posts/{post_id}", as_=author).body
    assert (mine["status"], mine["hidden_rule"]) == ("hidden", "not_genuine")
    assert mine["hidden_rule_label"]

    restored = api.post(f"/platform/posts/{post_id}/restore", {}, as_=operator)
    assert restored.body["status"] == "visible"
    assert len(api.get(f"/products/{p.pk}/posts").body) == 1
    assert api.delete(f"/posts/{post_id}", as_=author).status == 204
    assert api.get(f"/products/{p.pk}/posts").body == []


def test_the_composer_offers_received_lines_without_a_post(
    api: Api, received: tuple[Member, int]
) -> None:
    buyer, line_id = received
    [line] = api.get("/me/postable-lines", as_=buyer).body
    assert line["order_line_id"] == line_id
    post(api, buyer, line_id)
    assert api.get("/me/postable-lines", as_=buyer).body == []
    [mine] = api.get("/me/posts", as_=buyer).body
    assert mine["order_line_id"] == line_id


def test_the_product_page_shows_posts_and_a_post_link_lands_on_the_post_page(
    api: Api, shop: tuple[Product, Member], received: tuple[Member, int]
) -> None:
    p, _owner = shop
    author, line_id = received
    created = post(
        api,
        author,
        line_id,
        text="颜色很正<b>粗体</b>",
        rating=3,
        images=[upload(png_bytes(), "a.png")],
    )
    browser = Client()
    page = browser.get(f"/p/{p.pk}").content.decode()
    assert "颜色很正&lt;b&gt;粗体&lt;/b&gt;" in page
    assert "★★★☆☆" in page
    landing = browser.get(f"/s/{created.body['share_code']}")
    assert landing.status_code == 302
    assert landing["Location"] == f"/posts/{created.body['id']}"
    post_page = browser.get(landing["Location"])
    assert post_page.status_code == 200
    assert p.title in post_page.content.decode()
    assert browser.get("/posts/999999").status_code == 404


def test_the_report_queue_holds_only_posts_with_open_reports(
    api: Api, received: tuple[Member, int], operator: Member
) -> None:
    buyer, line_id = received
    post(api, buyer, line_id)
    assert api.get("/platform/post-reports", as_=operator).body == []


def test_a_post_poster_shows_the_product_and_the_authors_photo(
    api: Api, shop: tuple[Product, Member], received: tuple[Member, int]
) -> None:
    p, _owner = shop
    author, line_id = received
    photo = jpeg_with_gps((120, 90))
    code = post(api, author, line_id, images=[upload(photo)]).body["share_code"]
    link = link_by_code(code)
    assert link is not None
    subject = _poster_subject(link)
    assert subject.title == p.title
    assert author.nickname in subject.subtitle
    assert subject.photo is not None
    assert Image.open(io.BytesIO(subject.photo)).size == (120, 90)
    served = Client().get(f"/api/v1/shares/{code}/poster.png")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"


def test_store_and_sub_store_shares_land_on_their_pages(
    api: Api, shop: tuple[Product, Member]
) -> None:
    p, _owner = shop
    sharer = MemberFactory.create()
    assert api.post("/me/distributor", as_=sharer).status == 200
    assert (
        api.put("/me/substore", {"product_ids": [p.pk], "title": "我的好物"}, as_=sharer).status
        == 200
    )
    code = share(api, sharer, sharer.pk, target_type="substore")
    browser = Client()
    landing = browser.get(f"/s/{code}")
    assert landing["Location"] == f"/substores/{sharer.pk}"
    page = browser.get(landing["Location"]).content.decode()
    assert "我的好物" in page and p.title in page
    assert browser.get("/substores/999999").status_code == 404

    store = p.merchant.stores.first()
    assert store is not None
    store_code = share(api, sharer, store.pk, target_type="store")
    landing = browser.get(f"/s/{store_code}")
    assert landing["Location"] == f"/stores/{store.pk}"
    assert p.title in browser.get(landing["Location"]).content.decode()
    assert browser.get("/stores/999999").status_code == 404
