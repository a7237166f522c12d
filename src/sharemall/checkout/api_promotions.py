"""The order-placing edges of the promotions: opening and joining a group, buying a bargain."""

from ninja import Router

router = Router(tags=["promotions"])
