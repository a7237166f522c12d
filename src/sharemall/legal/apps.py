from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalConfig(AppConfig):
    """The user agreement and the privacy policy, their versions, and members' consent."""

    name = "sharemall.legal"
    label = "legal"
    verbose_name = _("Terms and privacy")

    def ready(self) -> None:
        # Consent is recorded in the sign-up transaction, whichever way the member signed up.
        from sharemall.accounts.models import Member  # noqa: PLC0415
        from sharemall.accounts.signals import member_signed_up  # noqa: PLC0415
        from sharemall.legal.services import consent_on_signup  # noqa: PLC0415

        member_signed_up.connect(consent_on_signup, sender=Member, dispatch_uid="legal-consent")
        # The code sign-up's one statement writes the same rows itself (issue 17).
        from sharemall.accounts import signup  # noqa: PLC0415
        from sharemall.legal.services import (  # noqa: PLC0415
            SIGNUP_CONSENT_READY,
            SIGNUP_CONSENT_ROWS,
        )

        signup.companion_add(
            signup.Companion("legal-consent", SIGNUP_CONSENT_ROWS, SIGNUP_CONSENT_READY)
        )
