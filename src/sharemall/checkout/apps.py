from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckoutConfig(AppConfig):
    name = "sharemall.checkout"
    label = "checkout"
    verbose_name = _("Checkout")

    def ready(self) -> None:
        # The coupon-farm signal asks which payments used a coupon; distribution may not import
        # promotions (sibling features), so checkout, above both, plugs the lookup in.
        from sharemall.distribution.services.fraud import (  # noqa: PLC0415
            coupon_lookup_register,
        )

        coupon_lookup_register(_coupon_payments)


def _coupon_payments(buyers: set[int], payments: set[int]) -> set[int]:
    """Payments a coupon was used on, among these buyers' (index: claims by member)."""
    from sharemall.promotions.models import CouponClaim  # noqa: PLC0415

    used = CouponClaim.objects.filter(member_id__in=buyers, used_payment_id__in=payments)
    ids: list[int | None] = list(used.values_list("used_payment_id", flat=True))
    return {p for p in ids if p is not None}
