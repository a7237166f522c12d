"""The two documents a member agrees to at sign-up, and their first published text."""

from __future__ import annotations

USER_AGREEMENT = "user_agreement"
PRIVACY_POLICY = "privacy_policy"
KINDS = (USER_AGREEMENT, PRIVACY_POLICY)
# The public page of each kind: /legal/<slug>.
SLUGS = {USER_AGREEMENT: "user-agreement", PRIVACY_POLICY: "privacy"}
BODY_MAX_LENGTH = 50_000
TITLE_MAX_LENGTH = 100


def paragraphs(body: str) -> list[str]:
    """The text as paragraphs: blank lines separate them, single line breaks are kept inside.
    Rendered escaped by the templates, so no markup in a document ever reaches a page."""
    blocks = [block.strip() for block in body.replace("\r\n", "\n").split("\n\n")]
    return [block for block in blocks if block]


# The first published text of each kind (seeded by a migration), in first_versions.
