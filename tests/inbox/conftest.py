import datetime as dt
import hashlib
import hmac
import json
from pathlib import Path

import pytest

from somevahti.channels.models import ChannelAdministrator
from somevahti.connectors import fake
from somevahti.guideline.services import install_default_guideline
from tests.factories import ChannelFactory, make_user_person

RECORDED = Path(__file__).parent.parent / "connectors" / "meta" / "recorded"
SECRET = "test-app-secret"  # tests/settings.py


def signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    """The header with which Meta signs a webhook delivery, for the test client."""
    return {"HTTP_X_HUB_SIGNATURE_256": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}


def delivery_body() -> bytes:
    """A recorded delivery for the page of the `page` fixture: comments, our reply and messages."""
    data = json.loads((RECORDED / "webhook_page_mixed.json").read_text(encoding="utf-8"))
    data.pop("_source", None)
    return json.dumps(data).encode()


@pytest.fixture(autouse=True)
def _fresh_fake_platform():
    fake.reset()
    yield
    fake.reset()


@pytest.fixture
def channel(organization):
    install_default_guideline(organization=organization)
    return ChannelFactory(organization=organization)


@pytest.fixture
def page(organization):
    """The Facebook page that the recorded webhook deliveries are for."""
    install_default_guideline(organization=organization)
    return ChannelFactory(organization=organization, key="facebook", platform_id="104000000000001")


@pytest.fixture
def admin_person(channel):
    user, person = make_user_person(channel.organization, roles=["channel_admin"], name="Aino Ylläpitäjä")
    ChannelAdministrator.objects.create(channel=channel, person=person, role="admin", since=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    return person


@pytest.fixture
def platform(channel):
    return fake.account("facebook", channel.platform_id)
