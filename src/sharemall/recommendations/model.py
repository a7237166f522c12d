"""The recommendation model: trained from plain rows, served from numpy arrays (pure: no database).

`build(TrainingData)` turns the mall's history into an `Index`:

- **collaborative neighbours**: EASE (an item-item model with a closed form) on who bought what,
  or cosine co-occurrence when the catalogue is too large for EASE's dense inverse; each product
  keeps its strongest `NEIGHBOURS`;
- **bought together**: co-occurrence within one checkout (a payment), then within one buyer;
- **velocity**: recent sales with a two-week half-life; **quality**: return rate and rating,
  shrunk towards the mall's prior so a product with two orders is neither great nor awful;
- **demoted**: products with a SKU the quality verdict demotes (quality.judge);
- **sharers' audiences**: for every sharer, how many of their audience (their team, three levels,
  plus whoever bought through their shares) bought each product, what sold through their own
  shares and how often their shares were clicked.

`Index.for_sharer` ranks on-sale products for a sharer from their audience's categories and
items, their own tags, their shares' conversion, quality and velocity (weights in rules.py), and
says why. `Index.for_buyer` scores from a purchase history through the neighbours, and falls back
to a varied popular list. The same code serves the mall (selectors.py) and is measured offline
(bench/recommend_eval.py).
"""

from __future__ import annotations

import io
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from sharemall.recommendations import algorithms, quality, rules

Reason = tuple[str, str]  # (code in rules.REASON_TEXTS, its argument)
_DAY = 86_400.0


@dataclass(frozen=True)
class ProductInfo:
    product_id: int
    merchant_id: int
    category_id: int | None  # the root category
    category_name: str
    price_fen: int  # the lowest SKU price
    on_sale: bool
    text: str = ""  # title words, for sharers' style words
    leaf_category_id: int | None = None  # the product's own category, if below the root


@dataclass(frozen=True)
class Purchase:
    member_id: int
    product_id: int
    basket_id: int  # one checkout (payment)
    at: float  # epoch seconds
    referrer_id: int | None = None  # the sharer the sale is attributed to through a share


@dataclass
class TrainingData:
    now: float
    products: Sequence[ProductInfo]
    purchases: Sequence[Purchase]
    skus: Sequence[quality.SkuFacts] = ()
    teams: Mapping[int, Sequence[int]] = field(default_factory=dict)  # sharer -> team members
    clicks: Mapping[tuple[int, int], int] = field(default_factory=dict)  # (sharer, product) -> n
    demote: bool = True  # False only to measure what demotion does


@dataclass(frozen=True)
class Tags:
    category_ids: frozenset[int] = frozenset()
    price_min_fen: int | None = None
    price_max_fen: int | None = None
    styles: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(
            self.category_ids
            or self.price_min_fen is not None
            or self.price_max_fen is not None
            or self.styles
        )


@dataclass(frozen=True)
class Scored:
    product_id: int
    score: float
    reasons: tuple[Reason, ...] = ()


def _csr(
    rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int], data: np.ndarray | None = None
) -> sp.csr_matrix:
    values = np.ones(len(rows), dtype=np.float32) if data is None else data.astype(np.float32)
    matrix = sp.csr_matrix((values, (rows, cols)), shape=shape, dtype=np.float32)
    matrix.sum_duplicates()
    return matrix


def _scaled(values: np.ndarray) -> np.ndarray:
    """Values divided by their maximum (all zeros stay zeros)."""
    top = float(values.max()) if values.size else 0.0
    return values / top if top > 0 else np.zeros_like(values)


class Index:
    """A trained model: arrays over the products it knows, rows per sharer."""

    def __init__(self, arrays: Mapping[str, np.ndarray]) -> None:
        self.a = dict(arrays)
        self.ids: np.ndarray = self.a["ids"]
        self.pos = {int(pid): i for i, pid in enumerate(self.ids.tolist())}
        self.sharer_pos = {int(s): i for i, s in enumerate(self.a["sharers"].tolist())}
        self.category_names = dict(
            zip(self.a["cat_keys"].tolist(), self.a["cat_names"].tolist(), strict=True)
        )
        shape = (len(self.a["sharers"]), len(self.ids))
        # Products grouped by root category, for per-category sums in one bincount.
        cat = self.a["cat"]
        self._cat_known = cat >= 0
        self._cat_codes, self._cat_inverse = np.unique(cat[self._cat_known], return_inverse=True)
        self.audience = self._matrix("aud", shape)
        self.sold = self._matrix("sold", shape)
        self.clicked = self._matrix("clk", shape)

    def _matrix(self, name: str, shape: tuple[int, int]) -> sp.csr_matrix:
        return sp.csr_matrix(
            (self.a[f"{name}_data"], self.a[f"{name}_indices"], self.a[f"{name}_indptr"]),
            shape=shape,
        )

    # -- persistence ------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **self.a)  # type: ignore[arg-type]
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, raw: bytes) -> Index:
        with np.load(io.BytesIO(raw), allow_pickle=False) as archive:
            return cls({name: archive[name] for name in archive.files})

    # -- facts ------------------------------------------------------------------------------

    @property
    def demoted(self) -> frozenset[int]:
        return frozenset(int(pid) for pid in self.ids[self.a["demoted"]].tolist())

    def _servable(self, exclude: Collection[int] = ()) -> np.ndarray:
        mask = self.a["on_sale"].copy()
        for pid in exclude:
            i = self.pos.get(pid)
            if i is not None:
                mask[i] = False
        return mask

    def _quality_reasons(self, i: int) -> list[Reason]:
        found: list[Reason] = []
        if self.a["low_returns"][i]:
            found.append(("low_returns", ""))
        if self.a["rating_count"][i] >= rules.WELL_RATED_MIN_COUNT:
            rating = float(self.a["rating"][i])
            if rating >= rules.WELL_RATED:
                found.append(("well_rated", f"{rating:.1f}"))
        return found

    def _top(self, scores: np.ndarray, mask: np.ndarray, limit: int) -> list[int]:
        candidates = np.flatnonzero(mask)
        if candidates.size == 0 or limit <= 0:
            return []
        values = scores[candidates]
        if candidates.size > limit:
            keep = np.argpartition(-values, limit - 1)[:limit]
            candidates, values = candidates[keep], values[keep]
        # Ties broken by product id, so a ranking is the same on every call.
        order = np.lexsort((self.ids[candidates], -values))
        return [int(i) for i in candidates[order]]

    def _demote(self, scores: np.ndarray) -> np.ndarray:
        kept = scores * self.a["kept"]
        return np.asarray(np.where(self.a["demoted"], kept * rules.DEMOTED_FACTOR, kept))

    def _neighbour_scores(
        self, items: Sequence[int], weights: Sequence[float], name: str
    ) -> np.ndarray:
        scores = np.zeros(len(self.ids), dtype=np.float32)
        idx, val = self.a[f"{name}_idx"], self.a[f"{name}_val"]
        for i, weight in zip(items, weights, strict=True):
            row = idx[i]
            valid = row >= 0
            np.add.at(scores, row[valid], val[i][valid] * weight)
        return scores

    # -- sharers ----------------------------------------------------------------------------

    def for_sharer(
        self, sharer_id: int, tags: Tags | None = None, *, limit: int = 20
    ) -> list[Scored]:
        n = len(self.ids)
        weights = rules.SHARER_WEIGHTS
        parts: dict[str, np.ndarray] = {
            "quality": self.a["quality"],
            "velocity": self.a["velocity"],
        }
        cat = self.a["cat"]
        audience_cat = np.zeros(n, dtype=np.float32)
        audience_direct = np.zeros(n, dtype=np.float32)
        audience_similar = np.zeros(n, dtype=np.float32)
        conversion = np.zeros(n, dtype=np.float32)
        row = self.sharer_pos.get(sharer_id)
        bought = np.zeros(n, dtype=np.float32)
        if row is not None:
            bought = self.audience.getrow(row).toarray().ravel()
            if bought.any():
                audience_cat = self._category_share(bought)
                audience_direct = _scaled(bought)
                top_items = np.argsort(-bought)[: rules.AUDIENCE_SEEDS]
                top_items = top_items[bought[top_items] > 0]
                audience_similar = _scaled(
                    self._neighbour_scores(
                        top_items.tolist(), (bought[top_items] / bought.max()).tolist(), "nbr"
                    )
                )
            conversion = self._conversion(row)
        parts["audience_items"] = 0.6 * audience_direct + 0.4 * audience_similar
        # A product without a category is its own category: what the audience thinks of it
        # stands in for what they think of its kind.
        parts["audience_category"] = np.where(cat >= 0, audience_cat, parts["audience_items"])
        parts["conversion"] = conversion
        parts["tags"], tag_reasons = self._tag_parts(tags or Tags())
        scores = np.zeros(n, dtype=np.float32)
        for name, weight in weights.items():
            scores += weight * parts[name]
        scores = self._demote(scores)
        chosen = self._top(scores, self._servable(), limit)
        out: list[Scored] = []
        for i in chosen:
            reasons: list[tuple[float, Reason]] = []
            name = self.category_names.get(int(cat[i]), "")
            if audience_cat[i] >= 0.5 and name:
                reasons.append(
                    (weights["audience_category"] * audience_cat[i], ("audience_category", name))
                )
            if audience_direct[i] > 0:
                count = int(bought[i])
                reasons.append(
                    (
                        weights["audience_items"] * audience_direct[i],
                        ("audience_bought", str(count)),
                    )
                )
            elif audience_similar[i] >= 0.3:
                reasons.append(
                    (
                        weights["audience_items"] * audience_similar[i] * 0.4,
                        ("audience_similar", ""),
                    )
                )
            for reason in tag_reasons.get(i, []):
                reasons.append((weights["tags"], reason))
            if conversion[i] >= 0.5 and name:
                reasons.append((weights["conversion"] * conversion[i], ("converts", name)))
            for reason in self._quality_reasons(i):
                reasons.append((weights["quality"] * float(self.a["quality"][i]), reason))
            if self.a["hot"][i]:
                reasons.append(
                    (weights["velocity"] * float(self.a["velocity"][i]), ("selling_fast", ""))
                )
            reasons.sort(key=lambda pair: -pair[0])
            kept = tuple(reason for _w, reason in reasons[: rules.MAX_REASONS]) or (
                ("popular", ""),
            )
            out.append(Scored(int(self.ids[i]), round(float(scores[i]), 4), kept))
        return out

    def _category_share(self, bought: np.ndarray) -> np.ndarray:
        """Each product's category's share of what the audience bought, scaled to the top one."""
        known, codes, inverse = self._cat_known, self._cat_codes, self._cat_inverse
        if not known.any():
            return np.zeros_like(bought)
        totals = np.bincount(inverse, weights=bought[known], minlength=len(codes))
        share = np.zeros(len(self.ids), dtype=np.float32)
        share[known] = _scaled(totals)[inverse]
        return share

    def _conversion(self, row: int) -> np.ndarray:
        """How well the sharer's own shares sold, per category (smoothed), and the product."""
        sold = self.sold.getrow(row).toarray().ravel()
        clicks = self.clicked.getrow(row).toarray().ravel()
        if not sold.any():
            return np.zeros(len(self.ids), dtype=np.float32)
        known, codes, inverse = self._cat_known, self._cat_codes, self._cat_inverse
        sold_by = np.bincount(inverse, weights=sold[known], minlength=len(codes))
        clicks_by = np.bincount(
            inverse, weights=np.maximum(clicks, sold)[known], minlength=len(codes)
        )
        rate = (sold_by + rules.CONVERSION_PRIOR_ORDERS) / (
            clicks_by + rules.CONVERSION_PRIOR_CLICKS
        )
        rate[sold_by == 0] = 0.0
        by_category = np.zeros(len(self.ids), dtype=np.float32)
        by_category[known] = _scaled(rate)[inverse]
        return np.asarray(0.7 * by_category + 0.3 * (sold > 0), dtype=np.float32)

    def _tag_parts(self, tags: Tags) -> tuple[np.ndarray, dict[int, list[Reason]]]:
        n = len(self.ids)
        reasons: dict[int, list[Reason]] = {}
        if not tags:
            return np.zeros(n, dtype=np.float32), reasons
        kinds: list[tuple[float, np.ndarray]] = []
        if tags.category_ids:
            wanted = np.array(sorted(tags.category_ids))
            match = np.isin(self.a["cat"], wanted) | np.isin(self.a["leaf"], wanted)
            kinds.append((0.5, match.astype(np.float32)))
            for i in np.flatnonzero(match).tolist():
                name = self.category_names.get(int(self.a["cat"][i]), "")
                reasons.setdefault(i, []).append(("tag_category", name))
        if tags.price_min_fen is not None or tags.price_max_fen is not None:
            price = self.a["price"]
            low = tags.price_min_fen if tags.price_min_fen is not None else 0
            high = tags.price_max_fen if tags.price_max_fen is not None else np.iinfo(np.int64).max
            within = (price >= low) & (price <= high)
            kinds.append((0.25, within.astype(np.float32)))
            for i in np.flatnonzero(within).tolist():
                reasons.setdefault(i, []).append(("tag_price", ""))
        if tags.styles:
            texts = self.a["text"]
            style_match = np.zeros(n, dtype=np.float32)
            for word in tags.styles:
                needle = word.lower()
                hits = np.char.find(texts, needle) >= 0
                for i in np.flatnonzero(hits & (style_match == 0)).tolist():
                    reasons.setdefault(i, []).append(("tag_style", word))
                style_match = np.maximum(style_match, hits.astype(np.float32))
            kinds.append((0.25, style_match))
        total = sum(weight for weight, _v in kinds)
        score = sum(weight * values for weight, values in kinds) / total
        return np.asarray(score, dtype=np.float32), reasons

    # -- buyers -----------------------------------------------------------------------------

    def for_buyer(
        self,
        history: Sequence[int],
        *,
        limit: int = 12,
        exclude: Collection[int] = (),
        seed_reason: str = "similar_to_bought",
    ) -> list[Scored]:
        """Products like those in `history` (newest first), which itself is left out."""
        known = [self.pos[pid] for pid in history if pid in self.pos][: rules.HISTORY_SEEDS]
        if not known:
            return self.popular(limit=limit, exclude=[*history, *exclude])
        # Newer purchases count more: the tenth one back counts half as much as the newest.
        decay = [0.5 ** (rank / 10) for rank in range(len(known))]
        similar = self._neighbour_scores(known, decay, "nbr")
        together = self._neighbour_scores(known, decay, "tog")
        scores = (
            _scaled(similar)
            + rules.TOGETHER_WEIGHT * _scaled(together)
            + rules.BUYER_VELOCITY_WEIGHT * self.a["velocity"]
        )
        scores = self._demote(scores)
        mask = self._servable([*history, *exclude])
        chosen = self._top(scores, mask & ((similar > 0) | (together > 0)), limit)
        out = []
        for i in chosen:
            reasons: list[Reason] = [(seed_reason, "")]
            if together[i] > 0 and similar[i] <= 0:
                reasons = [("bought_together", "")]
            reasons += self._quality_reasons(i)
            out.append(
                Scored(
                    int(self.ids[i]),
                    round(float(scores[i]), 4),
                    tuple(reasons[: rules.MAX_REASONS]),
                )
            )
        if len(out) < limit:
            taken = {s.product_id for s in out}
            out += self.popular(limit=limit - len(out), exclude=[*history, *exclude, *taken])
        return out

    def popular(self, *, limit: int = 12, exclude: Collection[int] = ()) -> list[Scored]:
        """What sells now and comes back least, no more than a third of the list per category
        while other categories have something to offer."""
        mask = self._servable(exclude)
        order = [int(i) for i in self.a["popular_order"].tolist() if mask[i]]
        per_category = max(1, math.ceil(limit / 3))
        counts: dict[int, int] = {}
        first: list[int] = []
        rest: list[int] = []
        for i in order:
            category = int(self.a["cat"][i])
            if counts.get(category, 0) < per_category:
                counts[category] = counts.get(category, 0) + 1
                first.append(i)
            else:
                rest.append(i)
            if len(first) >= limit:
                break
        chosen = (first + rest)[:limit]
        score = self.a["popular_score"]
        return [
            Scored(
                int(self.ids[i]),
                round(float(score[i]), 4),
                tuple([("popular", ""), *self._quality_reasons(i)][: rules.MAX_REASONS]),
            )
            for i in chosen
        ]

    def bought_together(self, product_id: int, *, limit: int = 6) -> list[int]:
        """Products bought in the same checkout as this one, then by the same buyers."""
        i = self.pos.get(product_id)
        if i is None:
            return []
        scores = self._neighbour_scores([i], [1.0], "tog") + 0.1 * self._neighbour_scores(
            [i], [1.0], "nbr"
        )
        mask = self._servable([product_id]) & (scores > 0) & ~self.a["demoted"]
        return [int(self.ids[j]) for j in self._top(scores, mask, limit)]


# -- training ---------------------------------------------------------------------------------


def _sku_quality(data: TrainingData, pos: Mapping[int, int], n: int) -> dict[str, np.ndarray]:
    orders = np.zeros(n)
    returns = np.zeros(n)
    rating_sum = np.zeros(n)
    rating_count = np.zeros(n)
    demoted = np.zeros(n, dtype=bool)
    for facts in data.skus:
        i = pos.get(facts.product_id)
        if i is None:
            continue
        orders[i] += facts.orders
        returns[i] += min(facts.returns, facts.orders)
        rating_sum[i] += facts.rating_sum
        rating_count[i] += facts.rating_count
        if data.demote and quality.judge(facts).demoted:
            demoted[i] = True
    return_rate = (returns + rules.PRIOR_RETURNS) / (orders + rules.PRIOR_ORDERS)
    rating = (rating_sum + rules.PRIOR_RATING * rules.PRIOR_RATINGS) / (
        rating_count + rules.PRIOR_RATINGS
    )
    quality_score = 0.5 * (1 - np.minimum(1.0, return_rate / rules.RETURN_RATE_FLOOR)) + 0.5 * (
        (rating - 1) / 4
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        raw_rate = np.where(orders > 0, returns / np.maximum(orders, 1), 1.0)
        raw_rating = np.where(rating_count > 0, rating_sum / np.maximum(rating_count, 1), 0.0)
    return {
        "quality": quality_score.astype(np.float32),
        # The share of sales a buyer keeps: every list is scaled by it, so a product sent back
        # often drops even before it has the orders to be demoted.
        "kept": (
            1 - (returns + rules.KEEP_PRIOR_RETURNS) / (orders + rules.KEEP_PRIOR_ORDERS)
        ).astype(np.float32),
        "demoted": demoted,
        "low_returns": (orders >= quality.MIN_ORDERS) & (raw_rate <= rules.LOW_RETURN_RATE),
        "rating": raw_rating.astype(np.float32),
        "rating_count": rating_count.astype(np.int32),
    }


def build(data: TrainingData) -> Index:
    products = list(data.products)
    n = len(products)
    ids = np.array([p.product_id for p in products], dtype=np.int64)
    pos = {p.product_id: i for i, p in enumerate(products)}
    cat = np.array(
        [p.category_id if p.category_id is not None else -1 for p in products], dtype=np.int64
    )
    names = {p.category_id: p.category_name for p in products if p.category_id is not None}
    purchases = [p for p in data.purchases if p.product_id in pos]

    members = np.array([p.member_id for p in purchases], dtype=np.int64)
    items = np.array([pos[p.product_id] for p in purchases], dtype=np.int64)
    baskets = np.array([p.basket_id for p in purchases], dtype=np.int64)
    when = np.array([p.at for p in purchases], dtype=np.float64)
    member_ids, member_rows = np.unique(members, return_inverse=True)
    member_pos = {int(m): i for i, m in enumerate(member_ids.tolist())}
    x = _csr(member_rows, items, (len(member_ids), n))

    weights = (
        algorithms.ease(x, rules.EASE_L2)
        if n <= rules.EASE_MAX_ITEMS
        else algorithms.cooccurrence(x)
    )
    nbr_idx, nbr_val = algorithms.top_k_rows(weights, rules.NEIGHBOURS)
    del weights
    _basket_ids, basket_rows = np.unique(baskets, return_inverse=True)
    in_basket = algorithms.cooccurrence(_csr(basket_rows, items, (len(_basket_ids), n)))
    by_buyer = algorithms.cooccurrence(x)
    tog_idx, tog_val = algorithms.top_k_rows(
        in_basket + rules.SAME_BUYER_WEIGHT * by_buyer, rules.NEIGHBOURS
    )

    age_days = np.maximum(0.0, (data.now - when) / _DAY)
    recent = age_days <= rules.VELOCITY_DAYS
    velocity_raw = np.bincount(
        items[recent],
        weights=0.5 ** (age_days[recent] / rules.VELOCITY_HALF_LIFE_DAYS),
        minlength=n,
    )
    velocity = _scaled(np.log1p(velocity_raw)).astype(np.float32)
    counts_recent = np.bincount(items[recent], minlength=n)
    hot = (velocity >= rules.HOT_VELOCITY) & (counts_recent >= rules.HOT_MIN_ORDERS)

    q = _sku_quality(data, pos, n)
    popular_score = (0.7 * velocity + 0.3 * q["quality"]).astype(np.float32)
    popular_score = popular_score * q["kept"]
    popular_score = np.where(q["demoted"], popular_score * rules.DEMOTED_FACTOR, popular_score)
    popular_order = np.lexsort((ids, -popular_score)).astype(np.int32)

    # Sharers: their audience (team plus buyers through their shares) as a sharers × members
    # matrix, times who-bought-what, gives how many of the audience bought each product.
    audience_of: dict[int, set[int]] = {s: set(m) for s, m in data.teams.items()}
    sold_rows: list[tuple[int, int]] = []
    for p in purchases:
        if p.referrer_id is not None:
            audience_of.setdefault(p.referrer_id, set()).add(p.member_id)
            sold_rows.append((p.referrer_id, pos[p.product_id]))
    for sharer, _product in data.clicks:
        audience_of.setdefault(sharer, set())
    sharers = np.array(sorted(audience_of), dtype=np.int64)
    sharer_pos = {int(s): i for i, s in enumerate(sharers.tolist())}
    pairs = [
        (sharer_pos[s], member_pos[m])
        for s, team in audience_of.items()
        for m in team
        if m in member_pos
    ]
    membership = _csr(
        np.array([a for a, _b in pairs], dtype=np.int64),
        np.array([b for _a, b in pairs], dtype=np.int64),
        (len(sharers), len(member_ids)),
    )
    audience = (membership @ algorithms.binarize(x)).tocsr()
    sold = _csr(
        np.array([sharer_pos[s] for s, _i in sold_rows], dtype=np.int64),
        np.array([i for _s, i in sold_rows], dtype=np.int64),
        (len(sharers), n),
    )
    click_rows = [(sharer_pos[s], pos[p], c) for (s, p), c in data.clicks.items() if p in pos]
    clicked = _csr(
        np.array([r for r, _p, _c in click_rows], dtype=np.int64),
        np.array([p for _r, p, _c in click_rows], dtype=np.int64),
        (len(sharers), n),
        np.array([c for _r, _p, c in click_rows], dtype=np.float32),
    )

    arrays: dict[str, np.ndarray] = {
        "ids": ids,
        "cat": cat,
        "leaf": np.array(
            [p.leaf_category_id if p.leaf_category_id is not None else -1 for p in products],
            dtype=np.int64,
        ),
        "cat_keys": np.array(sorted(names), dtype=np.int64),
        "cat_names": np.array([names[k] for k in sorted(names)], dtype=np.str_),
        "price": np.array([p.price_fen for p in products], dtype=np.int64),
        "on_sale": np.array([p.on_sale for p in products], dtype=bool),
        "text": np.array([p.text.lower()[: rules.TEXT_MAX_CHARS] for p in products], dtype=np.str_),
        "nbr_idx": nbr_idx,
        "nbr_val": nbr_val,
        "tog_idx": tog_idx,
        "tog_val": tog_val,
        "velocity": velocity,
        "hot": hot,
        "popular_score": popular_score,
        "popular_order": popular_order,
        "sharers": sharers,
        **q,
    }
    for name, matrix in (("aud", audience), ("sold", sold), ("clk", clicked)):
        arrays[f"{name}_data"] = matrix.data.astype(np.float32)
        arrays[f"{name}_indices"] = matrix.indices.astype(np.int32)
        arrays[f"{name}_indptr"] = matrix.indptr.astype(np.int64)
    return Index(arrays)
