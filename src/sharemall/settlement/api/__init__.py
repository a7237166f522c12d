"""The JSON edge of merchant settlement: balance and statements, and merchant withdrawals."""

from ninja import Router

from sharemall.settlement.api.balance import router as balance_router
from sharemall.settlement.api.withdrawals import router as withdrawals_router

router = Router(tags=["settlement"])
router.add_router("", balance_router)
router.add_router("", withdrawals_router)
