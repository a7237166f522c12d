"""Property tests of the commission maths."""

from hypothesis import assume, given
from hypothesis import strategies as st

from sharemall.distribution import rules

rates = st.integers(min_value=0, max_value=3000)


@st.composite
def bp_plans(draw: st.DrawFn) -> rules.Plan:
    parts = [draw(rates) for _ in range(5)]
    budget = draw(st.integers(min_value=sum(parts), max_value=max(sum(parts), 10_000)))
    assume(budget <= 10_000)
    return rules.Plan(rules.BP, budget, parts[0], (parts[1], parts[2], parts[3]), parts[4])


@given(
    plan=bp_plans(),
    base=st.integers(min_value=1, max_value=10**9),
    quantity=st.integers(min_value=1, max_value=999),
)
def test_everything_paid_on_a_line_stays_within_the_budget(
    plan: rules.Plan, base: int, quantity: int
) -> None:
    discount = rules.buyer_discount(plan, list_fen=base, quantity=quantity)
    paid = base - discount
    commissions = sum(
        rules.level_amount(plan, level, base_fen=paid, quantity=quantity) for level in (1, 2, 3)
    )
    agent = rules.region_agent_amount(plan, base_fen=paid, quantity=quantity)
    # Everything given up fits in the share budget of the list price.
    assert discount + commissions + agent <= base * plan.share_budget // 10_000
    assert 0 <= discount <= base


@given(
    plan=bp_plans(),
    base=st.integers(min_value=0, max_value=10**9),
    level=st.integers(min_value=1, max_value=3),
)
def test_each_amount_is_the_floor_of_base_times_rate(
    plan: rules.Plan, base: int, level: int
) -> None:
    amount = rules.level_amount(plan, level, base_fen=base, quantity=1)
    rate = plan.levels[level - 1]
    assert amount * 10_000 <= base * rate < (amount + 1) * 10_000


@given(
    amount=st.integers(min_value=0, max_value=10**8),
    paid=st.integers(min_value=1, max_value=10**9),
    refunds=st.lists(st.integers(min_value=0, max_value=10**9), max_size=8),
)
def test_reversals_never_exceed_what_was_paid_and_a_full_refund_reverses_all(
    amount: int, paid: int, refunds: list[int]
) -> None:
    refunded = 0
    reversed_total = 0
    for piece in refunds:
        refunded = min(paid, refunded + piece)
        target = rules.reversed_so_far(amount, refunded_fen=refunded, paid_fen=paid)
        assert target >= reversed_total  # cumulative: never takes back a reversal
        reversed_total = target
        assert reversed_total <= amount
    assert rules.reversed_so_far(amount, refunded_fen=paid, paid_fen=paid) == amount


@given(
    unit_rate=st.integers(min_value=0, max_value=10_000),
    quantity=st.integers(min_value=1, max_value=999),
    base=st.integers(min_value=0, max_value=10**7),
)
def test_fixed_fen_amounts_never_exceed_the_line(unit_rate: int, quantity: int, base: int) -> None:
    plan = rules.Plan(rules.FEN, unit_rate * 4, 0, (unit_rate, 0, 0), 0)
    assert 0 <= rules.level_amount(plan, 1, base_fen=base, quantity=quantity) <= base
