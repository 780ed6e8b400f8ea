import datetime as dt
import io

import pytest

from somevahti.channels.models import ChannelAdministrator
from somevahti.connectors import fake
from somevahti.guideline.services import install_default_guideline
from somevahti.publishing import services
from tests.factories import ChannelFactory, make_user_person

NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)  # 11:00 in Helsinki, a Wednesday


@pytest.fixture(autouse=True)
def _fresh_fake_platform():
    fake.reset()
    yield
    fake.reset()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.DATA_DIR = tmp_path


@pytest.fixture(autouse=True)
def _english(client):
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def channel(organization):
    install_default_guideline(organization=organization)
    return ChannelFactory(organization=organization)


@pytest.fixture
def author(channel):
    _user, person = make_user_person(channel.organization, roles=["channel_admin"], name="Aino Ylläpitäjä")
    ChannelAdministrator.objects.create(channel=channel, person=person, role="admin", since=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    return person


@pytest.fixture
def approver(channel):
    _user, person = make_user_person(channel.organization, roles=["comms_lead"], name="Kaisa Viestintä")
    return person


@pytest.fixture
def platform(channel):
    return fake.account("facebook", channel.platform_id)


def jpeg_bytes(size=(640, 480), *, gps=True) -> bytes:
    from PIL import Image

    image = Image.new("RGB", size, (30, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "Kameravalmistaja"      # Make
    exif[0x013B] = "Matti Meikäläinen"     # Artist
    exif[0x0112] = 1                       # Orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (62.0, 10.0, 30.0), 3: "E", 4: (27.0, 49.0, 12.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png_bytes(size=(400, 400)) -> bytes:
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Matti Meikäläinen")
    info.add_text("Comment", "Kotiosoite Kotikatu 1")
    out = io.BytesIO()
    Image.new("RGBA", size, (200, 10, 10, 128)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def approved_post(channel, author, text="Uimahalli on auki joulun aikaan normaalisti. Tervetuloa uimaan!", **kw):
    post = services.create_draft(organization=channel.organization, by=author, text=text, channels=[channel], **kw)
    return services.submit_for_review(post=post, by=author)
