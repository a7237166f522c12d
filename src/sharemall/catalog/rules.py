"""Pure catalogue rules: product states and limits."""

from sharemall.core.transitions import StateMachine

DRAFT, ON_SALE, OFF_SALE = "draft", "on_sale", "off_sale"
PRODUCT = StateMachine(
    "product",
    {DRAFT: {ON_SALE}, ON_SALE: {OFF_SALE}, OFF_SALE: {ON_SALE}},
)
TITLE_MAX = 120
DESCRIPTION_MAX = 20_000
SKU_NAME_MAX = 60
MAX_SKUS = 100
MAX_IMAGES = 9
MAX_PRICE_FEN = 100_000_000_00  # ¥100 million: anything above is a typo
MAX_STOCK = 10_000_000
