import pytest


@pytest.fixture(autouse=True)
def _english_by_default(settings):  # type: ignore[no-untyped-def]
    """These tests read English messages; Finnish pages are tested in tests/browser and tests/guideline."""
    settings.LANGUAGE_CODE = "en"
