import pytest

from somevahti.connectors import fake
from somevahti.guideline.services import install_default_guideline
from tests.factories import ChannelFactory


@pytest.fixture(autouse=True)
def _english_by_default(settings):  # type: ignore[no-untyped-def]
    """These tests read English messages; Finnish pages are tested in tests/browser and tests/guideline."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _fresh_fake_platform():  # type: ignore[no-untyped-def]
    fake.reset()
    yield
    fake.reset()


@pytest.fixture
def channel(organization):  # type: ignore[no-untyped-def]
    """The municipality's Facebook page, under the default guideline (MAINT-ADMINS judges it)."""
    install_default_guideline(organization=organization)
    return ChannelFactory(organization=organization, platform_id="104000000000001")
