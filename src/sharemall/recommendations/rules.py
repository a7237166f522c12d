"""Limits and weights of matching (pure: no database)."""

from __future__ import annotations

from sharemall.core.i18n import LazyText, gettext_lazy

MAX_TAG_CATEGORIES = 10
MAX_TAG_STYLES = 10
STYLE_MAX_CHARS = 12

# What a page or the API may ask for at once.
MAX_LIMIT = 50

# -- the model (model.py) --------------------------------------------------------------------

# EASE's inverse is dense in products × products: past this many, co-occurrence stands in.
EASE_MAX_ITEMS = 4000
EASE_L2 = 250.0
NEIGHBOURS = 40  # kept per product
SAME_BUYER_WEIGHT = 0.25  # bought by one buyer, not in one checkout
TEXT_MAX_CHARS = 200

VELOCITY_DAYS = 90
VELOCITY_HALF_LIFE_DAYS = 14.0
HOT_VELOCITY = 0.6
HOT_MIN_ORDERS = 5

# The mall's prior for a product with few sales: 1 return in 20 orders, 4.5 stars from 5 ratings.
PRIOR_RETURNS, PRIOR_ORDERS = 1.0, 20.0
PRIOR_RATING, PRIOR_RATINGS = 4.5, 5.0
# A weaker prior for the share of sales kept: five orders with four returns keep 70 %.
KEEP_PRIOR_RETURNS, KEEP_PRIOR_ORDERS = 0.5, 10.0
RETURN_RATE_FLOOR = 0.25  # a return rate this high scores zero quality
LOW_RETURN_RATE = 0.03
WELL_RATED, WELL_RATED_MIN_COUNT = 4.5, 3

# A demoted product keeps a fifth of its score: it can still appear, far down.
DEMOTED_FACTOR = 0.2

# What a sharer's ranking weighs (sums to 1).
SHARER_WEIGHTS = {
    "audience_category": 0.30,
    "audience_items": 0.20,
    "tags": 0.20,
    "conversion": 0.10,
    "quality": 0.10,
    "velocity": 0.10,
}
AUDIENCE_SEEDS = 50  # the audience's most bought products spread through the neighbours
CONVERSION_PRIOR_ORDERS, CONVERSION_PRIOR_CLICKS = 0.5, 10.0
MAX_REASONS = 3

# A buyer's list: neighbours of their history, then products bought in the same checkouts.
HISTORY_SEEDS = 50
TOGETHER_WEIGHT = 0.3
BUYER_VELOCITY_WEIGHT = 0.05
SPARE = 8  # asked of the model beyond the limit, for products gone off sale since training

# Why a product is recommended, shown beside it. "%(arg)s" is the reason's argument.
REASON_TEXTS: dict[str, LazyText] = {
    "audience_category": gettext_lazy("Your friends often buy %(arg)s"),
    "audience_bought": gettext_lazy("%(arg)s of your friends bought it"),
    "audience_similar": gettext_lazy("Goes with what your friends buy"),
    "tag_category": gettext_lazy("Matches your tag: %(arg)s"),
    "tag_price": gettext_lazy("In your price range"),
    "tag_style": gettext_lazy("Your style: %(arg)s"),
    "converts": gettext_lazy("Your shares of %(arg)s sell well"),
    "low_returns": gettext_lazy("Few returns"),
    "well_rated": gettext_lazy("Rated %(arg)s"),
    "selling_fast": gettext_lazy("Selling fast"),
    "popular": gettext_lazy("Popular on the mall"),
    "similar_to_bought": gettext_lazy("Like what you bought"),
    "bought_together": gettext_lazy("Often bought with what you bought"),
    "from_referrer": gettext_lazy("Shared by the friend who invited you"),
}
