"""Sent inside the sign-up transaction when a member is made (by password or by texted code),
so what must be recorded with a sign-up (consent to the current terms) commits or rolls back
with it. Receivers: `sender=Member, member=…, address=…` (the client address or None)."""

from django.dispatch import Signal

member_signed_up = Signal()
