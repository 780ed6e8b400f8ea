"""Settings for the test suite: the real settings with a throw-away data folder,
immediate tasks, in-memory mail unless a test starts a real SMTP server, fast hashing."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")
os.environ["SOMEVAHTI_DATA_DIR"] = tempfile.mkdtemp(prefix="somevahti-test-")

from somevahti.config.settings import *  # noqa: E402,F403
from somevahti.config.settings import DATA_DIR  # noqa: E402

(DATA_DIR / "static").mkdir(parents=True, exist_ok=True)
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SOMEVAHTI_CONNECTORS = {"*": "somevahti.connectors.fake.FakeConnector"}
META_APP_SECRET = "test-app-secret"
META_VERIFY_TOKEN = "test-verify-token"
ICS_FEED_ALLOW_PRIVATE = True  # the tests serve calendars on loopback
WEBHOOK_DRAIN_WINDOW = 0  # process every delivery at once with the immediate task backend
