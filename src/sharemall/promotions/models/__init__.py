from sharemall.promotions.models.bargains import Bargain, BargainDeviceFlag, BargainHelp, BargainRun

__all__ = ["Bargain", "BargainDeviceFlag", "BargainHelp", "BargainRun"]
