"""Recommendations measured offline: the production model against four baselines, same run.

    PYTHONPATH=$PWD/src .venv/bin/python bench/recommend_eval.py [--seed 1] [--scale 1.0]
        [--part public|synthetic|all]

Two data sets, no database and no download:

- public: MovieLens 100K (943 users, 1,682 films, 100,000 ratings), read from the copy that
  ships inside RecBole's wheel (the files only: RecBole itself is never imported). Every rating
  is an implicit interaction.
- synthetic: a seeded shop log: 8 root categories, ~300 products with prices and a hidden return
  probability (a few are bad: 30 % returns or more, and cheap enough to sell well), ~60 sharers
  whose teams prefer one or two categories, public buyers, three months of purchases (a share of
  them through sharers' shares), returns, complaints and ratings per SKU.

On both, each buyer's last interaction (by time, ties by item id) is held out and the rest is
the training data. Every model ranks the items the buyer has not had in training; the held-out
item's place in the first 10 gives hit@10 and NDCG@10. Baselines, trained in the same run on the
same training data: popularity, item-item co-occurrence (cosine), EASE and ALS (`implicit`).
Their hyper-parameters (EASE's λ; ALS's factors, regularisation and confidence weight) are
chosen on a validation split cut from the training data the same way (each buyer's last training
interaction), never on the held-out items; the chosen values are reported. "chosen" is the
production model: `build(TrainingData(...)).for_buyer(history, limit=10)`.

On the synthetic log, sharers' recommendations are then played out: every sharer shares each of
their 10 recommended products once to their audience (team plus everyone who bought through
their shares); every audience member buys with a probability from their category preference,
and a purchase they return is no conversion. The same for a popularity top 10. Then the
recommendation slots held by demoted products in the production model, with demotion off, and
without the SKU facts (nothing known of returns: what the quality feedback is measured against).

As a library (tests/test_recommend_eval.py): `run(seed, scale, part, grid)` returns a
`Report`.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import platform
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import scipy.sparse as sp

from sharemall.recommendations import algorithms as alg
from sharemall.recommendations.quality import SkuFacts, judge

K = 10
BASELINES = ("popularity", "co-occurrence", "EASE", "ALS")


@dataclass(frozen=True)
class Grid:
    """The hyper-parameters tried on the validation split."""

    ease: tuple[float, ...]
    als: tuple[tuple[int, float, float], ...]  # (factors, regularisation, alpha)


FULL = Grid(
    ease=(25.0, 50.0, 100.0, 200.0, 400.0, 800.0, 1600.0),
    als=tuple((f, r, a) for f in (8, 16, 32, 64, 128) for r in (0.1, 5.0) for a in (1.0, 10.0)),
)
# For the test: a few points of the full grid, among them what the full grid picks with seed 1
# on both data sets (λ 100 and 800; ALS (32, 5, 1) and (8, 5, 10)).
QUICK = Grid(ease=(100.0, 800.0), als=((8, 5.0, 10.0), (32, 5.0, 1.0), (128, 0.1, 10.0)))
ALS_ITERATIONS = 15
ALS_THREADS = 1  # two are slower on a busy 2-core machine
# The production model (sharemall.recommendations.model) measured as "chosen" next to the
# baselines. Off, only the baselines are measured and the chosen rows read "-".
CHOSEN_MODEL = True


def production_model() -> ModuleType | None:
    """The production model module (sharemall.recommendations.model), if switched on."""
    if not CHOSEN_MODEL:
        return None
    return importlib.import_module("sharemall.recommendations.model")


# ------------------------------------------------------------------ the report


@dataclass
class Scores:
    hit: float
    ndcg: float
    users: int

    def hit_se(self) -> float:
        """The standard error of the hit rate (a binomial share of `users`)."""
        return math.sqrt(self.hit * (1 - self.hit) / self.users) if self.users else 0.0


@dataclass
class Part:
    name: str
    users: int
    items: int
    interactions: int
    scores: dict[str, Scores] = field(default_factory=dict)
    ease_l2: float = 0.0
    als_params: tuple[int, float, float] = (0, 0.0, 0.0)
    validation: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # hit@10 counting only held-out purchases the buyer kept (synthetic log: not returned)
    kept: dict[str, float] = field(default_factory=dict)
    goals: bool = False  # the hit-rate goals are set on the public data set
    seconds: float = 0.0

    def best_baseline(self) -> tuple[str, float]:
        name = max(BASELINES, key=lambda b: self.scores[b].hit)
        return name, self.scores[name].hit

    def ratio_to_best(self) -> float | None:
        chosen = self.scores.get("chosen")
        best = self.best_baseline()[1]
        return chosen.hit / best if chosen and best else None

    def ratio_to_popularity(self) -> float | None:
        chosen = self.scores.get("chosen")
        popular = self.scores["popularity"].hit
        return chosen.hit / popular if chosen and popular else None


@dataclass
class Shares:
    """The simulated shares of the sharers' top 10s, the model's and a popularity top 10."""

    sharers: int
    audience: int  # audience members over all sharers
    shares: int  # shares made by each strategy (sharers × slots filled)
    conversions: dict[str, int] = field(default_factory=dict)  # bought and kept
    returned: dict[str, int] = field(default_factory=dict)  # bought and returned
    in_preference: dict[str, float] = field(default_factory=dict)  # slots in the team's categories

    def per_share(self, name: str) -> float:
        return self.conversions[name] / self.shares if self.shares else 0.0

    def lift(self) -> float:
        popular = self.per_share("popularity")
        return self.per_share("chosen") / popular if popular else math.inf


# The model's variants on the synthetic log: (demote, with the SKU facts). Without the SKU facts
# the model knows nothing of returns, complaints or ratings: no demotion, no scaling by the share
# of sales kept, no quality prior. That is what the quality feedback is measured against.
VARIANTS = {
    "chosen": (True, True),
    "chosen, demotion off": (False, True),
    "chosen, no SKU facts": (True, False),
}
WITHOUT_QUALITY = "chosen, no SKU facts"


@dataclass
class Demotion:
    demoted: int  # products the quality verdicts demote
    bad: int  # products whose hidden return probability is 30 % or more
    slots: int  # all sharer slots
    demoted_slots: dict[str, int] = field(default_factory=dict)  # variant -> slots they hold
    bad_slots: dict[str, int] = field(default_factory=dict)

    def loss(self, against: str = WITHOUT_QUALITY) -> float:
        """The share of their slots demoted products lose in the production model."""
        before = self.demoted_slots[against]
        return 1 - self.demoted_slots["chosen"] / before if before else math.nan


@dataclass
class Report:
    seed: int
    scale: float
    public: Part | None = None
    synthetic: Part | None = None
    shares: Shares | None = None
    demotion: Demotion | None = None
    seconds: float = 0.0
    load: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def text(self) -> str:
        lines = [f"seed {self.seed}, scale {self.scale}, top {K}"]
        for part in (self.public, self.synthetic):
            if part is not None:
                lines += ["", *_part_text(part)]
        if self.shares is not None:
            s = self.shares
            lines += [
                "",
                (
                    f"synthetic shares: {s.sharers} sharers, {s.audience} audience members, "
                    f"{s.shares} shares per strategy"
                ),
                (
                    f"{'strategy':<22}{'conversions':>12}{'returned':>10}{'per share':>11}"
                    f"{'in team categories':>20}"
                ),
            ]
            for name in s.conversions:
                lines.append(
                    f"{name:<22}{s.conversions[name]:>12}{s.returned[name]:>10}"
                    f"{s.per_share(name):>11.3f}{s.in_preference[name]:>20.1%}"
                )
            lines.append(f"lift of chosen over popularity: {s.lift():.2f} (goal ≥ 1.5)")
        if self.demotion is not None:
            d = self.demotion
            lines += [
                "",
                (
                    f"demotion: {d.demoted} products demoted by the quality verdicts ({d.bad} "
                    f"bad by their hidden return probability), {d.slots} sharer slots"
                ),
                f"{'variant':<22}{'demoted products':>18}{'bad products':>14}",
            ]
            for name in d.demoted_slots:
                lines.append(f"{name:<22}{d.demoted_slots[name]:>18}{d.bad_slots[name]:>14}")
            lines.append(
                f"slots lost by demoted products against no SKU facts: {d.loss():.0%} "
                f"(goal ≥ 50 %); against demotion off: {d.loss('chosen, demotion off'):.0%}"
            )
        one, five, fifteen = self.load
        lines += [
            "",
            (
                f"wall time {self.seconds:.1f} s; load average {one:.2f} {five:.2f} {fifteen:.2f}; "
                f"{platform.machine()}, {os.cpu_count()} cores, Python "
                f"{platform.python_version()}"
            ),
        ]
        return "\n".join(lines)


def _part_text(part: Part) -> list[str]:
    a_f, a_r, a_a = part.als_params
    lines = [
        (
            f"{part.name}: {part.users} buyers with a held-out item, {part.items} items, "
            f"{part.interactions} interactions, {part.seconds:.1f} s"
        ),
        (
            f"tuned on the validation split: EASE λ = {part.ease_l2:g}; ALS {a_f} factors, "
            f"regularisation {a_r:g}, alpha {a_a:g}, {ALS_ITERATIONS} iterations"
        ),
        (
            f"{'model':<22}{'hit@10':>8}{'± se':>7}{'NDCG@10':>9}{'validation hit@10':>19}"
            + (f"{'hit@10 kept':>13}" if part.kept else "")
        ),
    ]
    for name in dict.fromkeys([*BASELINES, "chosen", *part.scores]):
        score = part.scores.get(name)
        valid = part.validation.get(name)
        valid_text = f"{valid:>19.4f}" if valid is not None else f"{'':>19}"
        if name in part.kept:
            valid_text += f"{part.kept[name]:>13.4f}"
        if score is None:
            lines.append(f"{name:<22}{'-':>8}{'':>7}{'-':>9}{valid_text}")
        else:
            lines.append(
                f"{name:<22}{score.hit:>8.4f}{score.hit_se():>7.4f}{score.ndcg:>9.4f}{valid_text}"
            )
    best_name, _ = part.best_baseline()
    to_best, to_popular = part.ratio_to_best(), part.ratio_to_popularity()
    if part.goals and to_best is not None and to_popular is not None:
        lines.append(
            f"chosen hit@10 / best baseline ({best_name}): {to_best:.3f} (goal ≥ 0.95); "
            f"/ popularity: {to_popular:.2f} (goal ≥ 1.8)"
        )
    return lines + part.notes


# ------------------------------------------------------------------ interactions and baselines


@dataclass
class Interactions:
    """Parallel arrays of (user, item, time), users and items numbered from 0."""

    users: np.ndarray
    items: np.ndarray
    times: np.ndarray
    shape: tuple[int, int]

    def without(self, held: np.ndarray) -> Interactions:
        keep = held[self.users] != self.items
        return Interactions(self.users[keep], self.items[keep], self.times[keep], self.shape)

    def histories(self) -> list[list[int]]:
        """Each user's items, newest first (ties: the larger item first), once each at their
        last time: the order `for_buyer` reads a history in."""
        order = np.lexsort((self.items, self.times, self.users))
        out: list[list[int]] = [[] for _ in range(self.shape[0])]
        for u, i in zip(self.users[order].tolist(), self.items[order].tolist(), strict=True):
            row = out[u]
            if i in row:
                row.remove(i)
            row.append(i)
        return [row[::-1] for row in out]


def baseline_scores(
    train: sp.csr_matrix, l2: float, als_params: tuple[int, float, float], seed: int
) -> dict[str, np.ndarray]:
    """Every baseline's users × items scores, trained on `train`."""
    factors, regularization, alpha = als_params
    users, items = alg.als(
        train,
        factors=factors,
        regularization=regularization,
        alpha=alpha,
        iterations=ALS_ITERATIONS,
        threads=ALS_THREADS,
        seed=seed,
    )
    dense = train.toarray()
    return {
        "popularity": np.broadcast_to(alg.popularity(train), train.shape),
        "co-occurrence": (train @ alg.cooccurrence(train)).toarray(),
        "EASE": dense @ alg.ease(train, l2),
        "ALS": users @ items.T,
    }


def _measure(scores: np.ndarray, train: sp.csr_matrix, held: np.ndarray) -> Scores:
    ranked = alg.top_k_unseen(scores, train, K)
    return Scores(
        alg.hit_rate_at(ranked, held, K), alg.ndcg_at(ranked, held, K), int((held >= 0).sum())
    )


def tune(
    data: Interactions, seed: int, grid: Grid
) -> tuple[float, tuple[int, float, float], dict[str, float]]:
    """EASE's λ and ALS's parameters by hit@10 on the validation split (the held-out items are
    never seen here); returns them and each baseline's validation hit@10 at its choice."""
    train, held = alg.leave_last_out(data.users, data.items, data.times, data.shape)
    dense = train.toarray()
    ease_hits = {l2: _measure(dense @ alg.ease(train, l2), train, held).hit for l2 in grid.ease}
    best_l2 = max(grid.ease, key=lambda l2: (ease_hits[l2], -l2))
    als_hits: dict[tuple[int, float, float], float] = {}
    for params in grid.als:
        factors, regularization, alpha = params
        u, v = alg.als(
            train,
            factors=factors,
            regularization=regularization,
            alpha=alpha,
            iterations=ALS_ITERATIONS,
            threads=ALS_THREADS,
            seed=seed,
        )
        als_hits[params] = _measure(u @ v.T, train, held).hit
    best_als = max(grid.als, key=lambda p: (als_hits[p], -p[0]))
    validation = {
        "popularity": _measure(
            np.broadcast_to(alg.popularity(train), train.shape), train, held
        ).hit,
        "co-occurrence": _measure((train @ alg.cooccurrence(train)).toarray(), train, held).hit,
        "EASE": ease_hits[best_l2],
        "ALS": als_hits[best_als],
    }
    return best_l2, best_als, validation


Ranker = Callable[["Interactions"], list[list[int]]]


def evaluate(
    name: str,
    data: Interactions,
    seed: int,
    grid: Grid,
    chosen: Mapping[str, Ranker],
    *,
    returned: Callable[[int, int], bool] | None = None,
) -> Part:
    """Hold out each user's last item, tune on the rest, measure every baseline and every
    ranker of `chosen` (a function from the training interactions to each user's top 10, [] for
    users without a held-out item). With `returned(user, item)`, hit@10 is also counted on the
    held-out purchases that were kept."""
    started = time.perf_counter()
    train, held = alg.leave_last_out(data.users, data.items, data.times, data.shape)
    training = data.without(held)
    l2, als_params, validation = tune(training, seed, grid)
    part = Part(
        name=name,
        users=int((held >= 0).sum()),
        items=data.shape[1],
        interactions=len(data.users),
        ease_l2=l2,
        als_params=als_params,
        validation=validation,
    )
    kept = held.copy()
    if returned is not None:
        for u in np.flatnonzero(held >= 0).tolist():
            if returned(u, int(held[u])):
                kept[u] = -1
    rankings = {
        model: alg.top_k_unseen(scores, train, K)
        for model, scores in baseline_scores(train, l2, als_params, seed).items()
    }
    for ranker_name, ranker in chosen.items():
        ranked = np.full((data.shape[0], K), -1, dtype=np.int64)
        for u, top in enumerate(ranker(training)):
            ranked[u, : len(top[:K])] = top[:K]
        rankings[ranker_name] = ranked
    for model, ranked in rankings.items():
        part.scores[model] = Scores(
            alg.hit_rate_at(ranked, held, K), alg.ndcg_at(ranked, held, K), part.users
        )
        if returned is not None:
            part.kept[model] = alg.hit_rate_at(ranked, kept, K)
    part.seconds = time.perf_counter() - started
    return part


def for_buyers(
    model: ModuleType, make_data: Callable[[Interactions], Any], held_users: np.ndarray
) -> Ranker:
    """The production model's `for_buyer` top 10 of every user with a held-out item. Item n is
    product n + 1 to the model (ids start at 1 in the mall)."""

    def chosen(training: Interactions) -> list[list[int]]:
        index = model.build(make_data(training))
        histories = training.histories()
        out: list[list[int]] = [[] for _ in range(training.shape[0])]
        for u in held_users.tolist():
            history = [product_id(i) for i in histories[u]]
            out[u] = [s.product_id - 1 for s in index.for_buyer(history, limit=K)]
        return out

    return chosen


# ------------------------------------------------------------------ MovieLens 100K


def movielens_path() -> Path:
    spec = importlib.util.find_spec("recbole")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("RecBole's wheel is not installed: pip install --no-deps recbole==1.2.1")
    base = Path(next(iter(spec.submodule_search_locations)))
    return base / "dataset_example" / "ml-100k" / "ml-100k.inter"


def movielens() -> tuple[Interactions, np.ndarray]:
    """(the interactions, the original item id of every item number)."""
    raw = np.loadtxt(movielens_path(), skiprows=1, dtype=np.float64)
    _, users = np.unique(raw[:, 0].astype(np.int64), return_inverse=True)
    # np.unique sorts, so item numbers keep the order of item ids (the tie-break).
    item_ids, items = np.unique(raw[:, 1].astype(np.int64), return_inverse=True)
    shape = (int(users.max()) + 1, len(item_ids))
    return Interactions(users.astype(np.int64), items.astype(np.int64), raw[:, 3], shape), item_ids


def public_part(seed: int, grid: Grid) -> Part:
    data, _ = movielens()
    model = production_model()
    chosen: dict[str, Ranker] = {}
    if model is not None:
        _, held = alg.leave_last_out(data.users, data.items, data.times, data.shape)

        def make_data(training: Interactions) -> Any:
            products = [
                model.ProductInfo(
                    product_id=product_id(i),
                    merchant_id=1,
                    category_id=None,
                    category_name="",
                    price_fen=1000,
                    on_sale=True,
                )
                for i in range(data.shape[1])
            ]
            purchases = [
                # MovieLens has no checkouts: every rating is its own.
                model.Purchase(member_id=u, product_id=product_id(i), basket_id=n, at=t)
                for n, (u, i, t) in enumerate(
                    zip(
                        training.users.tolist(),
                        training.items.tolist(),
                        training.times.tolist(),
                        strict=True,
                    )
                )
            ]
            return model.TrainingData(
                now=float(training.times.max()) + 1, products=products, purchases=purchases
            )

        chosen["chosen"] = for_buyers(model, make_data, np.flatnonzero(held >= 0))
    part = evaluate("public: MovieLens 100K", data, seed, grid, chosen)
    part.goals = True
    return part


# ------------------------------------------------------------------ the synthetic shop log

CATEGORIES = ("茶叶", "美妆", "零食", "母婴", "数码", "服饰", "家居", "运动")
# Typical price per category, yuan.
CATEGORY_PRICE = (120.0, 150.0, 30.0, 90.0, 600.0, 180.0, 80.0, 220.0)
DAY = 86400.0
HISTORY_DAYS = 90
NOW = 1_790_000_000.0  # the log ends here (2026-09)
BAD_RETURNS = 0.30


# (member, product, basket, at, referrer, returned), product numbered from 0
Purchases = list[tuple[int, int, int, float, int | None, bool]]


@dataclass
class Shop:
    """The hidden truth of the synthetic shop and what the platform recorded of it."""

    categories: np.ndarray  # product -> category index
    prices: np.ndarray  # product -> price, fen
    on_sale: np.ndarray  # product -> bool
    return_p: np.ndarray  # product -> hidden return probability
    appeal: np.ndarray  # product -> how much buyers like it within its category
    preference: dict[int, np.ndarray]  # member -> probability over categories
    teams: dict[int, list[int]]  # sharer -> team members
    team_categories: dict[int, set[int]]  # sharer -> the team's 1-2 categories
    purchases: Purchases
    clicks: dict[tuple[int, int], int]

    def bad(self) -> np.ndarray:
        return self.return_p >= BAD_RETURNS


def product_id(p: int) -> int:
    return 1 + p


def _catalogue(
    rng: np.random.Generator, n_products: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(category, price in fen, on sale, hidden return probability, appeal) of each product."""
    categories = rng.integers(0, len(CATEGORIES), n_products)
    prices = np.round(
        np.asarray(CATEGORY_PRICE)[categories] * rng.lognormal(0, 0.5, n_products) * 100
    ).astype(np.int64)
    on_sale = rng.random(n_products) > 0.03
    return_p = rng.beta(2, 40, n_products)  # mostly 2-10 %
    bad = rng.random(n_products) < 0.08
    return_p[bad] = rng.uniform(BAD_RETURNS, 0.6, int(bad.sum()))
    appeal = rng.lognormal(0, 1.0, n_products)
    # Bad goods sell on their looks and their price: cheap and attractive.
    appeal[bad] *= 3.0
    prices[bad] = np.maximum(100, prices[bad] // 2)
    return categories, prices, on_sale, return_p, appeal


def _preferring(cats: Sequence[int], spread: float) -> np.ndarray:
    """A taste: `spread` over every category evenly, the rest over `cats`."""
    weights = np.full(len(CATEGORIES), spread / len(CATEGORIES))
    for c in cats:
        weights[c] += (1 - spread) / len(cats)
    return weights


def _people(
    rng: np.random.Generator, n_sharers: int, n_public: int
) -> tuple[dict[int, np.ndarray], dict[int, list[int]], dict[int, set[int]], list[int]]:
    """(each member's taste, each sharer's team, each team's categories, the public buyers).
    Sharers are members 1..n; team members and public buyers are numbered from 1000."""
    n_cat = len(CATEGORIES)
    preference: dict[int, np.ndarray] = {}
    teams: dict[int, list[int]] = {}
    team_categories: dict[int, set[int]] = {}
    next_member = 1000
    for s in range(1, n_sharers + 1):
        cats = rng.choice(n_cat, size=int(rng.integers(1, 3)), replace=False).tolist()
        team_categories[s] = set(cats)
        preference[s] = _preferring(cats, 0.2)
        teams[s] = []
        for _ in range(int(rng.integers(8, 36))):
            # Most members share the team's taste; some add one category of their own.
            own = cats if rng.random() < 0.7 else [*cats, int(rng.integers(0, n_cat))]
            preference[next_member] = _preferring(own, 0.1)
            teams[s].append(next_member)
            next_member += 1
    public = list(range(next_member, next_member + n_public))
    for member in public:
        cats = rng.choice(n_cat, size=int(rng.integers(1, 3)), replace=False).tolist()
        preference[member] = _preferring(cats, 0.1)
    return preference, teams, team_categories, public


def generate(seed: int, scale: float) -> Shop:
    rng = np.random.default_rng(seed)
    n_products = max(40, round(300 * scale))
    categories, prices, on_sale, return_p, appeal = _catalogue(rng, n_products)
    preference, teams, team_categories, public = _people(
        rng, max(8, round(60 * scale)), max(40, round(600 * scale))
    )
    sharers = sorted(teams)
    parent = {m: s for s, team in teams.items() for m in team}
    outsiders = set(public)
    by_category = [np.flatnonzero(categories == c) for c in range(len(CATEGORIES))]
    start = NOW - HISTORY_DAYS * DAY
    purchases: Purchases = []
    clicks: dict[tuple[int, int], int] = defaultdict(int)
    basket = 0

    def pick(member: int) -> int:
        """A product of a category the member likes, the more appealing the likelier."""
        pool = by_category[int(rng.choice(len(CATEGORIES), p=preference[member]))]
        if not pool.size:
            pool = np.arange(n_products)
        weights = appeal[pool] * on_sale[pool]
        return int(rng.choice(pool, p=weights / weights.sum()))

    for member in [*sharers, *parent, *public]:
        for _ in range(int(rng.poisson(7)) + 1):
            basket += 1
            at = float(start + rng.random() * HISTORY_DAYS * DAY)
            referrer: int | None = None
            if member in parent and rng.random() < 0.5:
                referrer = parent[member]
            elif member in outsiders and rng.random() < 0.15:
                # A public buyer comes through a sharer's share of something they like.
                referrer = int(rng.choice(sharers))
            lines = [pick(member)]
            if rng.random() < 0.2:
                lines.append(pick(member))
            for p in dict.fromkeys(lines):
                returned = bool(rng.random() < return_p[p])
                purchases.append((member, p, basket, at, referrer, returned))
                if referrer is not None:
                    clicks[(referrer, p)] += 1 + int(rng.poisson(4))
    return Shop(
        categories=categories,
        prices=prices,
        on_sale=on_sale,
        return_p=return_p,
        appeal=appeal,
        preference=preference,
        teams=teams,
        team_categories=team_categories,
        purchases=purchases,
        clicks=dict(clicks),
    )


def sku_facts(shop: Shop, purchases: Purchases, seed: int) -> list[SkuFacts]:
    """One SKU per product: orders, returns, complaints (a fifth of returns), ratings (lower for
    bad products and for returned goods)."""
    rng = np.random.default_rng(seed + 7)
    orders = np.zeros(len(shop.categories), dtype=np.int64)
    returns = np.zeros_like(orders)
    rating_sum = np.zeros_like(orders)
    rating_count = np.zeros_like(orders)
    bad = shop.bad()
    for _, p, _, _, _, returned in purchases:
        orders[p] += 1
        returns[p] += returned
        if rng.random() < 0.4:
            low = 1 if returned else (2 if bad[p] else 4)
            rating_sum[p] += int(rng.integers(low, low + 2))
            rating_count[p] += 1
    complaints = rng.binomial(returns, 0.2)
    return [
        SkuFacts(
            sku_id=10_000 + p,
            product_id=product_id(p),
            merchant_id=1 + p % 20,
            orders=int(orders[p]),
            units=int(orders[p]),
            returns=int(returns[p]),
            complaints=int(complaints[p]),
            rating_sum=int(rating_sum[p]),
            rating_count=int(rating_count[p]),
        )
        for p in range(len(orders))
        if orders[p]
    ]


def training_data(
    model: ModuleType,
    shop: Shop,
    purchases: Purchases,
    seed: int,
    *,
    demote: bool = True,
    facts: bool = True,
) -> Any:
    products = [
        model.ProductInfo(
            product_id=product_id(p),
            merchant_id=1 + p % 20,
            category_id=1 + int(shop.categories[p]),
            category_name=CATEGORIES[int(shop.categories[p])],
            price_fen=int(shop.prices[p]),
            on_sale=bool(shop.on_sale[p]),
        )
        for p in range(len(shop.categories))
    ]
    bought = [
        model.Purchase(member_id=m, product_id=product_id(p), basket_id=b, at=at, referrer_id=r)
        for m, p, b, at, r, _ in purchases
    ]
    return model.TrainingData(
        now=NOW,
        products=products,
        purchases=bought,
        skus=sku_facts(shop, purchases, seed) if facts else (),
        teams=shop.teams,
        clicks=shop.clicks,
        demote=demote,
    )


def audiences(shop: Shop) -> dict[int, list[int]]:
    """A sharer's audience: their team and everyone who bought through their shares."""
    out = {s: set(team) for s, team in shop.teams.items()}
    for member, _, _, _, referrer, _ in shop.purchases:
        if referrer is not None:
            out[referrer].add(member)
    return {s: sorted(members - {s}) for s, members in out.items()}


# A shared product the member likes best (all their taste in its category) is bought by this
# share of the audience; a category they care less for, in proportion.
BUY_RATE = 0.12


def simulate_shares(shop: Shop, tops: dict[str, dict[int, list[int]]], seed: int) -> Shares:
    """Each product in a sharer's top 10 shared once to their audience: each member buys with a
    probability from their preference for its category (scaled by the product's appeal within
    its category), and returns it with its hidden return probability. The draws of one share
    (sharer, product) are the same whichever strategy picked it: strategies differ only by
    what they pick."""
    audience = audiences(shop)
    mean_appeal = np.mean(shop.appeal)
    slots = {name: sum(len(v) for v in top.values()) for name, top in tops.items()}
    result = Shares(
        sharers=len(audience),
        audience=sum(len(a) for a in audience.values()),
        shares=max(slots.values()),
    )
    for name, top in tops.items():
        converted = returned = in_team = 0
        for s, products in top.items():
            members = audience[s]
            liking = np.array([shop.preference[m] for m in members])
            for p in products:
                c = int(shop.categories[p])
                in_team += c in shop.team_categories[s]
                appeal = min(2.0, math.sqrt(shop.appeal[p] / mean_appeal))
                rng = np.random.default_rng((seed, 13, s, p))
                buy = rng.random(len(members)) < BUY_RATE * liking[:, c] * appeal
                back = rng.random(len(members)) < shop.return_p[p]
                converted += int((buy & ~back).sum())
                returned += int((buy & back).sum())
        result.conversions[name] = converted
        result.returned[name] = returned
        result.in_preference[name] = in_team / slots[name] if slots[name] else 0.0
    return result


def synthetic_part(
    seed: int, scale: float, grid: Grid
) -> tuple[Part, Shares | None, Demotion | None]:
    shop = generate(seed, scale)
    model = production_model()
    members = sorted({m for m, *_ in shop.purchases})
    row = {m: n for n, m in enumerate(members)}
    data = Interactions(
        np.array([row[m] for m, *_ in shop.purchases], dtype=np.int64),
        np.array([p for _, p, *_ in shop.purchases], dtype=np.int64),
        np.array([at for _, _, _, at, _, _ in shop.purchases], dtype=np.float64),
        (len(members), len(shop.categories)),
    )
    chosen: dict[str, Ranker] = {}
    _, held = alg.leave_last_out(data.users, data.items, data.times, data.shape)
    if model is not None:

        def make_data(demote: bool, facts: bool) -> Callable[[Interactions], Any]:
            def make(training: Interactions) -> Any:
                kept = {
                    (int(u), int(i), float(t))
                    for u, i, t in zip(training.users, training.items, training.times, strict=True)
                }
                purchases = [x for x in shop.purchases if (row[x[0]], x[1], x[3]) in kept]
                return training_data(model, shop, purchases, seed, demote=demote, facts=facts)

            return make

        users = np.flatnonzero(held >= 0)
        # The variants show what the quality feedback costs here: held-out purchases of bad
        # goods are hard to hit once they are pushed down (they are also the ones returned).
        for name, (demote, facts) in VARIANTS.items():
            chosen[name] = for_buyers(model, make_data(demote, facts), users)

    last_returned: dict[tuple[int, int], bool] = {}
    for m, p, _, _, _, back in sorted(shop.purchases, key=lambda x: x[3]):
        last_returned[(row[m], p)] = back
    part = evaluate(
        "synthetic shop log: buyers",
        data,
        seed,
        grid,
        chosen,
        returned=lambda u, i: last_returned[(u, i)],
    )
    bad_held = shop.bad()[held[held >= 0]]
    part.notes.append(
        f"held-out purchases of bad products (hidden return probability ≥ {BAD_RETURNS:.0%}): "
        f"{bad_held.mean():.1%}"
    )
    if model is None:
        return part, None, None

    sharers = sorted(shop.teams)
    tops: dict[str, dict[int, list[int]]] = {}
    for name, (demote, facts) in VARIANTS.items():
        index = model.build(
            training_data(model, shop, shop.purchases, seed, demote=demote, facts=facts)
        )
        tops[name] = {s: [x.product_id - 1 for x in index.for_sharer(s, limit=K)] for s in sharers}
    counts = np.zeros(len(shop.categories))
    for _, p, *_ in shop.purchases:
        counts[p] += 1
    counts[~shop.on_sale] = -1
    popular = np.lexsort((np.arange(len(counts)), -counts))[:K].tolist()
    shares = simulate_shares(shop, {"popularity": dict.fromkeys(sharers, popular), **tops}, seed)
    skus = sku_facts(shop, shop.purchases, seed)
    demoted = {f.product_id - 1 for f in skus if judge(f).demoted}
    bad = set(np.flatnonzero(shop.bad()).tolist())

    def held_by(top: dict[int, list[int]], products: set[int]) -> int:
        return sum(p in products for v in top.values() for p in v)

    demotion = Demotion(
        demoted=len(demoted),
        bad=len(bad),
        slots=sum(len(v) for v in tops["chosen"].values()),
        demoted_slots={name: held_by(top, demoted) for name, top in tops.items()},
        bad_slots={name: held_by(top, bad) for name, top in tops.items()},
    )
    return part, shares, demotion


# ------------------------------------------------------------------ run


def run(seed: int = 1, scale: float = 1.0, part: str = "all", grid: Grid = FULL) -> Report:
    started = time.perf_counter()
    report = Report(seed, scale)
    if part in {"public", "all"}:
        report.public = public_part(seed, grid)
    if part in {"synthetic", "all"}:
        report.synthetic, report.shares, report.demotion = synthetic_part(seed, scale, grid)
    report.seconds = time.perf_counter() - started
    report.load = os.getloadavg()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--part", choices=("public", "synthetic", "all"), default="all")
    args = parser.parse_args()
    print(run(args.seed, args.scale, args.part).text())


if __name__ == "__main__":
    sys.exit(main())
