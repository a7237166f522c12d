"""Pure catalogue rules: product states and limits."""

from sharemall.core.transitions import StateMachine
from sharemall.merchants import rules as merchant_rules

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


# Who sells: a merchant the platform approved. One waiting for review, rejected or suspended
# sells nothing, whatever its products' states.
SELLING_MERCHANT_STATUS = merchant_rules.APPROVED


def is_buyable(product_status: str, merchant_status: str) -> bool:
    """Whether a product can be bought (shown to strangers, put in a cart, ordered): it is on
    sale and its merchant sells. Stock is a separate question. `selectors.BUYABLE` is the same
    rule as a query."""
    return product_status == ON_SALE and merchant_status == SELLING_MERCHANT_STATUS
