"""What the demo mall holds besides its shops (sharemall.demo.catalogue): logins, members, the
category tree, buyers' posts and the home banners."""

from __future__ import annotations

from dataclasses import dataclass

from sharemall.demo.catalogue import (
    APPLICANT,
    MARKER,
    MERCHANTS,
    Merchant,
    Product,
    Sku,
    Store,
    licence_code,
)

__all__ = [
    "APPLICANT",
    "BANNERS",
    "CATEGORIES",
    "DEMO_PASSWORD",
    "MARKER",
    "MEMBER_NICKNAMES",
    "MEMBER_PHONES",
    "MERCHANTS",
    "OPERATOR_PASSWORD",
    "OPERATOR_PHONE",
    "POST_TEXTS",
    "Banner",
    "Category",
    "Merchant",
    "Product",
    "Sku",
    "Store",
    "licence_code",
]

# Demo-only credentials, printed by `sharemall seed-demo`: anyone who can read this file or the
# console knows them, which is the point of a demo and the reason never to seed a real mall.
OPERATOR_PHONE = "13800000000"
OPERATOR_PASSWORD = "ShareMall-admin-2025"  # noqa: S105 - a published demo login
DEMO_PASSWORD = "ShareMall-demo-2025"  # noqa: S105 - a published demo login

MEMBER_NICKNAMES = (
    "小林同学",
    "阿杰爱喝茶",
    "王小美",
    "周末去爬山",
    "张大厨",
    "吃货小胖",
    "晴天娃娃",
    "陈老师",
    "李雷",
    "韩梅梅",
)
MEMBER_PHONES = tuple(f"1380000001{i}" for i in range(len(MEMBER_NICKNAMES)))


@dataclass(frozen=True)
class Category:
    name: str
    children: tuple[str, ...]
    kind: str  # the drawing on its icon
    colour: str


# A two-level tree: the home page's icon grid shows the top level, the category page both.
CATEGORIES: tuple[Category, ...] = (
    Category("茶饮", ("绿茶", "乌龙红茶", "黑茶白茶", "茶具"), "tin", "#2f6b3a"),
    Category("美妆个护", ("面部护肤", "彩妆", "身体护理"), "dropper", "#c2185b"),
    Category("厨房家居", ("锅具刀具", "收纳保鲜", "餐具杯壶"), "pan", "#44505a"),
    Category("休闲零食", ("坚果炒货", "糕点饼干", "肉干果干"), "pouch", "#e07a2f"),
    Category("母婴", ("喂养用品", "洗护用品"), "baby_bottle", "#f28482"),
    Category("数码配件", ("充电设备", "耳机音箱", "手机配件"), "earbuds", "#2563eb"),
)


@dataclass(frozen=True)
class Banner:
    title: str  # the headline drawn on it and its title
    subline: str
    latin: str  # the headline without a CJK font
    colour: str
    category: str  # where it links (a top-level category) and whose products it shows


BANNERS: tuple[Banner, ...] = (
    Banner(
        "春茶上新", "明前龙井 · 大红袍 · 白牡丹，好友分享立减 5%", "Spring tea", "#2f6b3a", "茶饮"
    ),
    Banner("换季护肤节", "补水修护精选，满 199 包邮", "Skin care week", "#b83b5e", "美妆个护"),
    Banner("厨房焕新季", "锅具刀具收纳，一站配齐", "Kitchen refresh", "#264653", "厨房家居"),
)

# Experience posts by demo buyers (PRODUCT §6): honest, one of them unhappy, one reported.
POST_TEXTS = (
    "收到就拆开试了，做工扎实，比图片还好看。已经推荐给同事了。",
    "物流很快，但颜色和详情页差得有点多，实物偏暗，给两星。",
    "用了一周，很顺手。包装有点简陋，其他都满意。",
    "回购第三次了，家里人都说好，这个价格很值。",
    "太好用了太好用了！！！五星五星五星，闭眼入不会错，全家都在用！！！",  # reported: not genuine
)

# Postage in the demo shops' freight templates: the far west costs more, and the shops send
# nothing outside the mainland (GB/T 2260 province codes).
FAR_WEST_REGIONS = ("540000", "630000", "650000")  # 西藏, 青海, 新疆
NOT_DELIVERED_REGIONS = ("710000", "810000", "820000")  # 台湾, 香港, 澳门
