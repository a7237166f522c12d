"""The demo's shops and what they sell: plain data, so the seeding code stays short and the
shop reads true. Each product names the drawing its photos show (sharemall.demo.drawings)."""

from __future__ import annotations

from dataclasses import dataclass

from stdnum.cn import uscc


def licence_code(body: str) -> str:
    """A unified social credit code from its first 17 characters, check character computed."""
    return body + uscc.calc_check_digit(body)


@dataclass(frozen=True)
class Sku:
    name: str
    price_fen: int
    stock: int
    list_price_fen: int | None = None  # the struck-through price, where the shop shows one


@dataclass(frozen=True)
class Product:
    title: str
    label: str  # a Latin name, drawn on the pictures when no CJK font is installed
    category: str  # a child category name
    description: str
    skus: tuple[Sku, ...]
    kind: str  # the drawing (sharemall.demo.drawings.KINDS)
    colour: str  # the product's own colour, then its trim
    accent: str
    short: str  # the few characters printed on the pack
    tagline: str  # selling points, " · " between them


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
    latin_name: str
    uscc_body: str
    legal_rep: str
    owner_phone: str
    products: tuple[Product, ...]
    stores: tuple[Store, ...] = ()
    staff_phone: str = ""
    staff_nickname: str = ""
    # Where buyers send returns (a district code and the street address): the warehouse.
    returns_to: tuple[str, str] = ("", "")

    @property
    def uscc(self) -> str:
        return licence_code(self.uscc_body)


def _every_day(opens: str, closes: str, weekend_closes: str) -> tuple[tuple[int, str, str], ...]:
    return tuple((d, opens, weekend_closes if d in (5, 6) else closes) for d in range(1, 8))


TEA = Merchant(
    legal_name="深圳市茗香园茶业有限公司",
    short_name="茗香园",
    latin_name="Mingxiang",
    uscc_body="91440300MA5F8K2L3",
    legal_rep="陈志强",
    owner_phone="13900000001",
    returns_to=("440309", "民治街道梅龙路85号茗香园仓储中心3楼"),
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
            "绿茶",
            "杭州西湖产区明前头采，扁平挺直，豆花香清幽。80℃水冲泡，可续三泡。",
            (
                Sku("50g 罐装", 16800, 120, 19800),
                Sku("100g 罐装", 32800, 80, 38800),
                Sku("250g 礼盒", 78800, 30),
            ),
            "tin",
            "#2f6b3a",
            "#d4af5f",
            "龙井",
            "明前头采 · 豆花香 · 可续三泡",
        ),
        Product(
            "黄山毛峰 特级 新茶",
            "Maofeng",
            "绿茶",
            "黄山高山茶园一芽一叶初展，形似雀舌，汤色杏绿，清香持久。",
            (Sku("100g 袋装", 8800, 160, 10800), Sku("200g 袋装", 16800, 90)),
            "pouch",
            "#7aa64a",
            "#e8d9a8",
            "毛峰",
            "高山云雾 · 一芽一叶 · 清香持久",
        ),
        Product(
            "武夷山大红袍 岩茶",
            "Da Hong Pao",
            "乌龙红茶",
            "武夷山正岩产区，传统炭焙，岩韵明显，耐泡回甘。",
            (Sku("125g", 15800, 100), Sku("250g 礼盒", 29800, 60, 35800)),
            "gift_box",
            "#8e2b22",
            "#d9a441",
            "大红袍",
            "正岩产区 · 传统炭焙 · 岩韵回甘",
        ),
        Product(
            "安溪铁观音 清香型",
            "Tieguanyin",
            "乌龙红茶",
            "安溪感德秋茶，兰花香高扬，独立小泡装，出差携带方便。",
            (Sku("250g", 9800, 150), Sku("500g", 17800, 80)),
            "pouch",
            "#2e7d5b",
            "#f1e3b3",
            "铁观音",
            "兰花香 · 独立小泡 · 出差好带",
        ),
        Product(
            "正山小种 桐木关红茶",
            "Lapsang",
            "乌龙红茶",
            "桐木关原产，松烟香与桂圆甜香交织，加奶也好喝。",
            (Sku("150g 罐装", 13800, 110, 16800),),
            "tin",
            "#9a3b26",
            "#3e2723",
            "小种",
            "桐木关原产 · 桂圆甜香 · 可做奶茶",
        ),
        Product(
            "云南普洱熟茶饼 357g",
            "Pu-erh",
            "黑茶白茶",
            "勐海大叶种晒青毛茶渥堆发酵，汤色红浓，陈香醇厚。",
            (Sku("2019年份", 19800, 50), Sku("2015年份", 46800, 20)),
            "tea_cake",
            "#5d4037",
            "#d7ccc8",
            "普洱",
            "勐海大叶种 · 红浓明亮 · 越陈越香",
        ),
        Product(
            "福鼎白茶 白牡丹 茶饼",
            "White Tea",
            "黑茶白茶",
            "福鼎核心产区一芽二叶，毫香蜜韵，可煮可泡。",
            (Sku("100g 饼", 12800, 90, 15800),),
            "tea_cake",
            "#7d8f5a",
            "#f3f0e0",
            "白牡丹",
            "毫香蜜韵 · 可煮可泡 · 适合存放",
        ),
        Product(
            "青瓷盖碗茶具 一壶四杯",
            "Celadon Set",
            "茶具",
            "龙泉青瓷，釉色温润如玉，盖碗不烫手，送礼自用皆宜。",
            (Sku("青瓷 五件套", 26800, 40, 32800), Sku("月白 五件套", 26800, 35)),
            "teacup",
            "#4f8a7b",
            "#c7dcd2",
            "青瓷",
            "龙泉青瓷 · 温润如玉 · 不烫手",
        ),
        Product(
            "高硼硅玻璃公道杯 350ml",
            "Glass Pitcher",
            "茶具",
            "耐热高硼硅玻璃，月牙出水口断水利落，看得见茶汤颜色。",
            (Sku("350ml", 5900, 200),),
            "pitcher",
            "#8d6e63",
            "#d7ccc8",
            "公道杯",
            "耐热玻璃 · 断水利落 · 易清洗",
        ),
        Product(
            "手工绿豆糕 茶点礼盒",
            "Mung Bean Cake",
            "糕点饼干",
            "门店现做，少糖配方，入口即化，配茶正好。冷藏保存 7 天。",
            (Sku("12枚装", 4800, 200, 5800), Sku("24枚装", 8800, 100)),
            "gift_box",
            "#8bbd5a",
            "#f4d35e",
            "绿豆糕",
            "门店现做 · 少糖配方 · 入口即化",
        ),
    ),
)

BEAUTY = Merchant(
    legal_name="杭州青禾美妆科技有限公司",
    short_name="青禾美妆",
    latin_name="Qinghe",
    uscc_body="91330106MA2H4P7Q1",
    legal_rep="林婉清",
    owner_phone="13900000002",
    returns_to=("330110", "仓前街道文一西路1500号青禾仓2号库"),
    products=(
        Product(
            "青禾 玻尿酸补水精华液",
            "Serum",
            "面部护肤",
            "多分子玻尿酸复配，清爽不黏腻，干皮油皮都适用。",
            (Sku("30ml", 15900, 200, 19900), Sku("50ml", 23900, 120, 29900)),
            "dropper",
            "#3a8fb7",
            "#f3e7d3",
            "玻尿酸",
            "多分子玻尿酸 · 清爽不黏 · 一夜水润",
        ),
        Product(
            "青禾 氨基酸洁面乳 120g",
            "Cleanser",
            "面部护肤",
            "温和氨基酸表活，洗后不紧绷，敏感肌可用。",
            (Sku("120g", 6900, 300, 8900),),
            "tube",
            "#9bc9a6",
            "#2e7d5b",
            "洁面乳",
            "氨基酸表活 · 洗后不紧绷 · 敏感肌可用",
        ),
        Product(
            "青禾 烟酰胺亮肤面膜",
            "Sheet Mask",
            "面部护肤",
            "天丝膜布服帖透气，每片含精华 25ml。",
            (Sku("10片装", 9900, 250), Sku("20片装", 17900, 100, 19800)),
            "sheet_masks",
            "#e8879c",
            "#b83b5e",
            "亮肤面膜",
            "天丝膜布 · 25ml 精华 · 服帖透气",
        ),
        Product(
            "青禾 清透防晒乳 SPF50+ PA++++",
            "Sunscreen",
            "面部护肤",
            "轻薄水感质地，户外通勤皆宜，防水防汗。",
            (Sku("50ml", 12900, 180),),
            "tube",
            "#f2b33d",
            "#1f6f8b",
            "防晒乳",
            "SPF50+ PA++++ · 轻薄水感 · 防水防汗",
        ),
        Product(
            "青禾 保湿修护面霜 50g",
            "Cream",
            "面部护肤",
            "神经酰胺加积雪草，换季泛红干痒时的安心之选。",
            (Sku("50g", 19900, 150, 25900),),
            "jar",
            "#f4f1ea",
            "#c9a27e",
            "修护霜",
            "神经酰胺 · 积雪草 · 换季修护",
        ),
        Product(
            "丝绒雾面口红",
            "Lipstick",
            "彩妆",
            "丝绒雾面质地，显色持久不拔干。",
            (Sku("#01 正红", 12900, 80), Sku("#02 豆沙", 12900, 90), Sku("#03 枫叶", 12900, 70)),
            "lipstick",
            "#b3202c",
            "#1e1e24",
            "口红",
            "丝绒雾面 · 显色持久 · 不拔干",
        ),
        Product(
            "持妆粉底液 30ml",
            "Foundation",
            "彩妆",
            "轻薄遮瑕，12 小时持妆，适合混合肌。",
            (Sku("象牙白", 16900, 60), Sku("自然色", 16900, 80)),
            "pump_bottle",
            "#e3b99b",
            "#5a4638",
            "粉底液",
            "轻薄遮瑕 · 12 小时持妆 · 混合肌",
        ),
        Product(
            "青禾 香氛身体乳 400ml",
            "Body Lotion",
            "身体护理",
            "白茶与小苍兰香气，乳木果油滋润，洗澡后涂抹一整天香香的。",
            (Sku("白茶香", 8900, 160, 11900), Sku("小苍兰", 8900, 140, 11900)),
            "pump_bottle",
            "#b7a4d6",
            "#ffffff",
            "身体乳",
            "乳木果油 · 白茶香 · 一整天滋润",
        ),
        Product(
            "青禾 护手霜礼盒 三支装",
            "Hand Cream",
            "身体护理",
            "三种香型各 30g，小巧好带，不油腻，吸收快。",
            (Sku("三支装", 5900, 260, 7900),),
            "tube",
            "#f7c5a8",
            "#c0504d",
            "护手霜",
            "三种香型 · 小巧好带 · 吸收快",
        ),
    ),
)

KITCHEN = Merchant(
    legal_name="广州悦厨家居用品有限公司",
    short_name="悦厨家居",
    latin_name="Yuechu",
    uscc_body="91440106MA9W3T6C8",
    legal_rep="黄家明",
    owner_phone="13900000003",
    returns_to=("440113", "大石街道105国道大石段218号悦厨仓库"),
    products=(
        Product(
            "悦厨 304不锈钢炒锅 少油烟",
            "Wok",
            "锅具刀具",
            "三层复合钢底，导热均匀，少油烟，燃气电磁炉通用。",
            (Sku("32cm", 29900, 60, 39900), Sku("34cm", 32900, 40, 42900)),
            "pan",
            "#44505a",
            "#8d6e63",
            "炒锅",
            "三层复合底 · 少油烟 · 明火电磁通用",
        ),
        Product(
            "悦厨 麦饭石不粘煎锅 28cm",
            "Frying Pan",
            "锅具刀具",
            "麦饭石色涂层，煎蛋不粘，轻松清洗。",
            (Sku("28cm", 12900, 120, 16900),),
            "pan",
            "#b5651d",
            "#3e2723",
            "煎锅",
            "麦饭石涂层 · 煎蛋不粘 · 轻松清洗",
        ),
        Product(
            "悦厨 德式刀具五件套",
            "Knife Set",
            "锅具刀具",
            "5Cr15MoV 钢材，含刀座，切菜、剁骨、水果刀一套齐全。",
            (Sku("五件套", 39900, 30, 49900),),
            "knife_block",
            "#5d4037",
            "#263238",
            "刀具",
            "德国钢材 · 含刀座 · 一套齐全",
        ),
        Product(
            "悦厨 整竹双面砧板",
            "Cutting Board",
            "锅具刀具",
            "整竹压制，生熟分用，不易开裂。",
            (Sku("中号 36×26cm", 6900, 150), Sku("大号 42×30cm", 8900, 100)),
            "board",
            "#caa472",
            "#6d4c41",
            "砧板",
            "整竹压制 · 生熟分用 · 不易开裂",
        ),
        Product(
            "悦厨 玻璃保鲜盒 四件套",
            "Glass Boxes",
            "收纳保鲜",
            "高硼硅玻璃，可微波可冷冻，卡扣密封不漏汤。",
            (Sku("四件套", 8900, 200, 12900),),
            "food_box",
            "#4fa3a5",
            "#2a9d8f",
            "保鲜盒",
            "可微波可冷冻 · 卡扣密封 · 不漏汤",
        ),
        Product(
            "悦厨 厨房调料置物架",
            "Spice Rack",
            "收纳保鲜",
            "碳钢烤漆，免打孔安装，台面瞬间清爽。",
            (Sku("双层", 5900, 160), Sku("三层", 7900, 90)),
            "spice_rack",
            "#3d5a40",
            "#d4a373",
            "置物架",
            "碳钢烤漆 · 免打孔 · 台面清爽",
        ),
        Product(
            "悦厨 真空密封储物罐 三只装",
            "Canisters",
            "收纳保鲜",
            "按压式真空盖，五谷杂粮、咖啡豆防潮保鲜。",
            (Sku("1.2L×3", 6900, 140), Sku("1.8L×3", 8900, 90)),
            "jar",
            "#dfe7ea",
            "#264653",
            "储物罐",
            "按压真空 · 防潮保鲜 · 一眼看清",
        ),
        Product(
            "悦厨 釉下彩陶瓷碗 家用套装",
            "Bowls",
            "餐具杯壶",
            "釉下彩工艺，可进洗碗机和微波炉，一家人刚好一套。",
            (Sku("4碗4筷", 9900, 120, 12900), Sku("6碗6筷", 13900, 80)),
            "bowls",
            "#3f6fb5",
            "#1d3557",
            "碗",
            "釉下彩 · 可进洗碗机 · 一家一套",
        ),
        Product(
            "悦厨 316不锈钢保温杯 500ml",
            "Vacuum Flask",
            "餐具杯壶",
            "316 内胆，12 小时保温，一键弹盖单手喝水。",
            (Sku("雾霾蓝", 12900, 150, 15900), Sku("奶茶色", 12900, 150, 15900)),
            "flask",
            "#6c8ead",
            "#2b2d42",
            "保温杯",
            "316 内胆 · 12 小时保温 · 单手开盖",
        ),
    ),
)

DEER = Merchant(
    legal_name="成都小鹿优选电子商务有限公司",
    short_name="小鹿优选",
    latin_name="Deer Select",
    uscc_body="91510100MA6C7D4N2",
    legal_rep="邓小鹿",
    owner_phone="13900000005",
    returns_to=("510107", "武科西二路8号小鹿优选售后仓"),
    products=(
        Product(
            "宽口径玻璃奶瓶 防胀气",
            "Baby Bottle",
            "喂养用品",
            "高硼硅玻璃瓶身，仿母乳奶嘴，防胀气阀设计，宝宝喝奶更安心。",
            (Sku("160ml", 8900, 120, 10900), Sku("240ml", 9900, 100, 11900)),
            "baby_bottle",
            "#f4a6b7",
            "#f28482",
            "奶瓶",
            "仿母乳奶嘴 · 防胀气 · 玻璃瓶身",
        ),
        Product(
            "婴儿手口湿巾 80抽×6包",
            "Baby Wipes",
            "洗护用品",
            "EDI 纯水，不含酒精香精，加厚珍珠纹，擦手擦嘴都放心。",
            (Sku("80抽×6包", 4990, 300, 5990), Sku("80抽×12包", 8990, 150)),
            "soft_pack",
            "#8ecae6",
            "#219ebc",
            "湿巾",
            "EDI 纯水 · 无酒精 · 加厚珍珠纹",
        ),
        Product(
            "每日坚果 混合装",
            "Daily Nuts",
            "坚果炒货",
            "腰果、巴旦木、核桃仁、蔓越莓干科学配比，每袋 25g。",
            (Sku("7袋 周装", 3990, 300, 4990), Sku("30袋 月装", 14900, 120, 17900)),
            "pouch",
            "#e07a2f",
            "#c68b59",
            "每日坚果",
            "六种坚果果干 · 独立小袋 · 每天一袋",
        ),
        Product(
            "泰国芒果干 软糯微酸",
            "Dried Mango",
            "肉干果干",
            "泰国大青芒切厚片，软糯有嚼劲，酸甜刚好。",
            (Sku("200g", 2990, 400, 3990), Sku("500g", 6490, 200)),
            "pouch",
            "#f4b400",
            "#f08c00",
            "芒果干",
            "厚切大片 · 软糯有嚼劲 · 酸甜刚好",
        ),
        Product(
            "手撕风干牛肉干 内蒙古",
            "Beef Jerky",
            "肉干果干",
            "内蒙古草原牛后腿肉，风干七成，越嚼越香。",
            (Sku("原味 250g", 6900, 200), Sku("麻辣 250g", 6900, 200)),
            "pouch",
            "#7f1d1d",
            "#b45309",
            "牛肉干",
            "草原牛后腿 · 风干七成 · 越嚼越香",
        ),
        Product(
            "流心蛋黄酥 伴手礼盒",
            "Yolk Pastry",
            "糕点饼干",
            "咸蛋黄裹红豆沙，层层起酥，现烤发货。",
            (Sku("6枚装", 3990, 200, 4990), Sku("12枚装", 6990, 120)),
            "gift_box",
            "#d97706",
            "#7c2d12",
            "蛋黄酥",
            "流心蛋黄 · 层层起酥 · 现烤发货",
        ),
        Product(
            "小鹿 真无线蓝牙耳机 降噪版",
            "Earbuds",
            "耳机音箱",
            "主动降噪，单次续航 7 小时，入耳检测，通话清晰。",
            (Sku("月光白", 19900, 150, 29900), Sku("曜石黑", 19900, 150, 29900)),
            "earbuds",
            "#e5e7eb",
            "#2563eb",
            "耳机",
            "主动降噪 · 7 小时续航 · 入耳检测",
        ),
        Product(
            "小鹿 20W PD 快充充电器",
            "Charger",
            "充电设备",
            "氮化镓芯片，小巧不发烫，30 分钟充至 50%。",
            (Sku("单头", 4900, 300, 6900), Sku("含 1m 数据线", 5900, 260, 7900)),
            "charger",
            "#f8fafc",
            "#0ea5e9",
            "20W",
            "氮化镓 · 小巧不烫 · 30 分钟 50%",
        ),
        Product(
            "小鹿 10000mAh 轻薄充电宝",
            "Power Bank",
            "充电设备",
            "机身仅 1.2cm 厚，双向快充，可带上飞机。",
            (Sku("奶白", 9900, 180, 12900), Sku("薄荷绿", 9900, 160, 12900)),
            "power_bank",
            "#a7d7c5",
            "#22c55e",
            "充电宝",
            "1.2cm 轻薄 · 双向快充 · 可带上飞机",
        ),
        Product(
            "液态硅胶手机壳 全包防摔",
            "Phone Case",
            "手机配件",
            "亲肤液态硅胶，内衬超细纤维，镜头加高防磕。",
            (Sku("雾粉", 3900, 300), Sku("午夜蓝", 3900, 300), Sku("鼠尾草绿", 3900, 300)),
            "phone_case",
            "#e8a0b4",
            "#be185d",
            "手机壳",
            "液态硅胶 · 全包防摔 · 镜头加高",
        ),
        Product(
            "编织快充数据线 1.5m",
            "Cable",
            "手机配件",
            "高密度编织线身，弯折 2 万次不断，支持 60W 快充。",
            (Sku("Type-C 1.5m", 2900, 400, 3900), Sku("两条装", 4900, 300)),
            "cable",
            "#c2185b",
            "#455a64",
            "数据线",
            "编织线身 · 弯折 2 万次 · 60W 快充",
        ),
    ),
)

MERCHANTS: tuple[Merchant, ...] = (TEA, BEAUTY, KITCHEN, DEER)
# The first merchant's licence code marks a seeded database: it is unique among live merchants.
MARKER = TEA

# An application the operator still has to review: its licence photo is there, nothing sells.
APPLICANT = Merchant(
    legal_name="上海拾光手作文创有限公司",
    short_name="拾光手作",
    latin_name="Shiguang",
    uscc_body="91310104MA1FR8K2X",
    legal_rep="顾晓岚",
    owner_phone="13900000009",
    returns_to=("310117", "九亭镇沪松公路1399号拾光工作室"),
    products=(),
)
