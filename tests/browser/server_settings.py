"""The live server's settings: production's, with a cheap password hasher.

PBKDF2 costs about half a second per hash on a CI machine; seeding the demo hashes fifteen
passwords and the browser tests log in again and again. Nothing else differs from what
`sharemall serve` runs.
"""

from sharemall.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
