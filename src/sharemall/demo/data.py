"""What the demo mall holds: plain data, so the seeding code stays short and the shop reads true."""

from __future__ import annotations

from dataclasses import dataclass

from stdnum.cn import uscc

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

# (parent, children): a two-level tree, enough for the storefront's category filter to show.
CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("食品", ("茶叶", "零食糕点")),
    ("美妆", ("护肤", "彩妆")),
    ("家居", ("厨具", "收纳")),
)


def licence_code(body: str) -> str:
    """A unified social credit code from its first 17 characters, check character computed."""
    return body + uscc.calc_check_digit(body)


@dataclass(frozen=True)
class Sku:
    name: str
    price_fen: int
    stock: int


@dataclass(frozen=True)
class Product:
    title: str
    label: str  # a Latin name, drawn on the picture when no CJK font is installed
    category: str  # a child category name
    description: str
    skus: tuple[Sku, ...]


@dataclass(frozen=True)
class Store:
    name: str
    region_code: str
    address: str
    latitude: float
    longitude: float
    phone: str
    opening_hours: tuple[tuple[int, str, str], ...]


@dataclass(frozen=True)
class Merchant:
    legal_name: str
    short_name: str
    uscc_body: str
    legal_rep: str
    owner_phone: str
    colours: tuple[tuple[str, str], ...]  # gradient pairs for this merchant's pictures
    products: tuple[Product, ...]
    stores: tuple[Store, ...] = ()
    staff_phone: str = ""
    staff_nickname: str = ""

    @property
    def uscc(self) -> str:
        return licence_code(self.uscc_body)


def _every_day(opens: str, closes: str, weekend_closes: str) -> tuple[tuple[int, str, str], ...]:
    return tuple((d, opens, weekend_closes if d in (5, 6) else closes) for d in range(1, 8))


TEA = Merchant(
    legal_name="深圳市茗香园茶业有限公司",
    short_name="茗香园",
    uscc_body="91440300MA5F8K2L3",
    legal_rep="陈志强",
    owner_phone="13900000001",
    colours=(("#1f5130", "#a8d08d"), ("#5b3a1a", "#e8c07d"), ("#234d3b", "#f1e3b3")),
    stores=(
        Store(
            name="茗香园 南山海岸城店",
            region_code="440305",  # 深圳市南山区
            address="文心五路33号海岸城购物中心二楼L2-218",
            latitude=22.5172,
            longitude=113.9363,
            phone="13900000021",
            opening_hours=_every_day("10:00", "22:00", "22:30"),
        ),
        Store(
            name="茗香园 福田中心城店",
            region_code="440304",  # 深圳市福田区
            address="福华一路6号中心城广场一楼L1-056",
            latitude=22.5379,
            longitude=114.0561,
            phone="13900000022",
            opening_hours=_every_day("09:30", "21:30", "22:00"),
        ),
    ),
    staff_phone="13900000011",
    staff_nickname="茶艺师小刘",
    products=(
        Product(
            "西湖龙井 明前特级绿茶",
            "Longjing",
            "茶叶",
            "杭州西湖产区明前头采，扁平挺直，豆花香清幽。80℃水冲泡，可续三泡。",
            (Sku("50g 罐装", 16800, 120), Sku("100g 罐装", 32800, 80), Sku("250g 礼盒", 78800, 30)),
        ),
        Product(
            "武夷山大红袍 岩茶",
            "Da Hong Pao",
            "茶叶",
            "武夷山正岩产区，传统炭焙，岩韵明显，耐泡回甘。",
            (Sku("125g", 15800, 100), Sku("250g", 29800, 60)),
        ),
        Product(
            "云南普洱熟茶饼 357g",
            "Pu-erh",
            "茶叶",
            "勐海大叶种晒青毛茶渥堆发酵，汤色红浓，陈香醇厚。",
            (Sku("2019年份", 19800, 50), Sku("2015年份", 46800, 20)),
        ),
        Product(
            "福鼎白茶 白牡丹",
            "White Tea",
            "茶叶",
            "福鼎核心产区一芽二叶，毫香蜜韵，可煮可泡。",
            (Sku("100g 饼", 12800, 90),),
        ),
        Product(
            "安溪铁观音 清香型",
            "Tieguanyin",
            "茶叶",
            "安溪感德秋茶，兰花香高扬，独立小泡装，出差携带方便。",
            (Sku("250g", 9800, 150), Sku("500g", 17800, 80)),
        ),
        Product(
            "手工绿豆糕 茶点礼盒",
            "Mung Bean Cake",
            "零食糕点",
            "门店现做，少糖配方，配茶正好。冷藏保存 7 天。",
            (Sku("12枚装", 4800, 200), Sku("24枚装", 8800, 100)),
        ),
        Product(
            "每日坚果 混合装",
            "Daily Nuts",
            "零食糕点",
            "腰果、巴旦木、核桃仁、蔓越莓干科学配比，每袋 25g。",
            (Sku("7袋 周装", 3990, 300), Sku("30袋 月装", 14900, 120)),
        ),
    ),
)

BEAUTY = Merchant(
    legal_name="杭州青禾美妆科技有限公司",
    short_name="青禾美妆",
    uscc_body="91330106MA2H4P7Q1",
    legal_rep="林婉清",
    owner_phone="13900000002",
    colours=(("#c2185b", "#f8bbd0"), ("#6a1b9a", "#e1bee7"), ("#00838f", "#b2ebf2")),
    products=(
        Product(
            "青禾 玻尿酸补水精华液",
            "Hyaluronic Serum",
            "护肤",
            "多分子玻尿酸复配，清爽不黏腻，干皮油皮都适用。",
            (Sku("30ml", 15900, 200), Sku("50ml", 23900, 120)),
        ),
        Product(
            "青禾 氨基酸洁面乳 120g",
            "Cleanser",
            "护肤",
            "温和氨基酸表活，洗后不紧绷，敏感肌可用。",
            (Sku("120g", 6900, 300),),
        ),
        Product(
            "青禾 烟酰胺亮肤面膜",
            "Sheet Mask",
            "护肤",
            "天丝膜布服帖透气，每片含精华 25ml。",
            (Sku("10片装", 9900, 250), Sku("20片装", 17900, 100)),
        ),
        Product(
            "青禾 清透防晒乳 SPF50+ PA++++",
            "Sunscreen",
            "护肤",
            "轻薄水感质地，户外通勤皆宜，防水防汗。",
            (Sku("50ml", 12900, 180),),
        ),
        Product(
            "青禾 保湿修护面霜 50g",
            "Moisturiser",
            "护肤",
            "神经酰胺加积雪草，换季泛红干痒时的安心之选。",
            (Sku("50g", 19900, 150),),
        ),
        Product(
            "丝绒雾面口红",
            "Lipstick",
            "彩妆",
            "丝绒雾面质地，显色持久不拔干。",
            (Sku("#01 正红", 12900, 80), Sku("#02 豆沙", 12900, 90), Sku("#03 枫叶", 12900, 70)),
        ),
        Product(
            "持妆粉底液 30ml",
            "Foundation",
            "彩妆",
            "轻薄遮瑕，12 小时持妆，适合混合肌。",
            (Sku("象牙白", 16900, 60), Sku("自然色", 16900, 80)),
        ),
    ),
)

KITCHEN = Merchant(
    legal_name="广州悦厨家居用品有限公司",
    short_name="悦厨家居",
    uscc_body="91440106MA9W3T6C8",
    legal_rep="黄家明",
    owner_phone="13900000003",
    colours=(("#37474f", "#cfd8dc"), ("#e65100", "#ffe0b2"), ("#2e7d32", "#dcedc8")),
    products=(
        Product(
            "悦厨 304不锈钢炒锅",
            "Wok",
            "厨具",
            "三层复合钢底，导热均匀，少油烟，燃气电磁炉通用。",
            (Sku("32cm", 29900, 60), Sku("34cm", 32900, 40)),
        ),
        Product(
            "悦厨 不粘平底煎锅 28cm",
            "Frying Pan",
            "厨具",
            "麦饭石色涂层，煎蛋不粘，轻松清洗。",
            (Sku("28cm", 12900, 120),),
        ),
        Product(
            "悦厨 德式刀具五件套",
            "Knife Set",
            "厨具",
            "5Cr15MoV 钢材，含刀座，切菜、剁骨、水果刀一套齐全。",
            (Sku("五件套", 39900, 30),),
        ),
        Product(
            "悦厨 竹制双面砧板",
            "Cutting Board",
            "厨具",
            "整竹压制，生熟分用，不易开裂。",
            (Sku("中号 36×26cm", 6900, 150), Sku("大号 42×30cm", 8900, 100)),
        ),
        Product(
            "悦厨 玻璃保鲜盒 四件套",
            "Glass Boxes",
            "收纳",
            "高硼硅玻璃，可微波可冷冻，卡扣密封不漏汤。",
            (Sku("四件套", 8900, 200),),
        ),
        Product(
            "悦厨 厨房调料置物架",
            "Spice Rack",
            "收纳",
            "碳钢烤漆，免打孔安装，台面瞬间清爽。",
            (Sku("双层", 5900, 160), Sku("三层", 7900, 90)),
        ),
        Product(
            "悦厨 真空密封储物罐 三只装",
            "Canisters",
            "收纳",
            "按压式真空盖，五谷杂粮、咖啡豆防潮保鲜。",
            (Sku("1.2L×3", 6900, 140), Sku("1.8L×3", 8900, 90)),
        ),
    ),
)

MERCHANTS: tuple[Merchant, ...] = (TEA, BEAUTY, KITCHEN)
# The first merchant's licence code marks a seeded database: it is unique among live merchants.
MARKER = TEA

# Experience posts by demo buyers (PRODUCT §6): honest, one of them unhappy.
POST_TEXTS = (
    "收到就拆开试了，做工扎实，比图片还好看。已经推荐给同事了。",
    "物流很快，但颜色和详情页差得有点多，实物偏暗，给两星。",
    "用了一周，很顺手。包装有点简陋，其他都满意。",
)
