"""Settings for the test suite: the production module with test-only defaults."""

import os
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("SANDBOX_PAYMENTS", "1")
# Tests see each share click as soon as its answer arrives.
os.environ.setdefault("CLICK_INGEST", "direct")
# Most tests sign members up without an SMS code; the verification tests turn it on.
os.environ.setdefault("PHONE_VERIFICATION", "off")
os.environ.setdefault("SMS_BACKEND", "sandbox")

from sharemall.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(os.environ.get("TEST_MEDIA_ROOT", "/tmp/sharemall-test-media"))  # noqa: S108
