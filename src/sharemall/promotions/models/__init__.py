from sharemall.promotions.models.groups import Group, GroupBuy, GroupEvent, GroupMember

__all__ = ["Group", "GroupBuy", "GroupEvent", "GroupMember"]
