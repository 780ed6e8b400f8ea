import datetime as dt

import pytest

from somevahti.channels.models import Channel, ChannelAdministrator
from somevahti.connectors import fake
from somevahti.guideline.services import install_default_guideline
from tests.factories import make_user_person


@pytest.fixture(autouse=True)
def _fresh_fake_platform():
    fake.reset()
    yield
    fake.reset()


@pytest.fixture
def channel(organization):
    install_default_guideline(organization=organization)
    return Channel.objects.create(
        organization=organization, key="facebook-joroinen", platform="facebook", name="Joroisten kunta",
        platform_id="1234567890", status=Channel.Status.ACTIVE,
    )


@pytest.fixture
def admin_person(channel):
    user, person = make_user_person(channel.organization, roles=["channel_admin"], name="Aino Ylläpitäjä")
    ChannelAdministrator.objects.create(channel=channel, person=person, role="admin", since=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    return person


@pytest.fixture
def platform(channel):
    return fake.account("facebook", channel.platform_id)
