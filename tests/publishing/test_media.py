import io
import struct
import zlib

import pytest
from PIL import Image

from somevahti.publishing import media
from somevahti.publishing.media import ImageError, prepare_image

from .conftest import jpeg_bytes, png_bytes


def test_jpeg__public_copy_has_no_exif_or_gps_and_keeps_its_size():
    original = jpeg_bytes()
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)  # the test image really has GPS
    prepared = prepare_image(original)
    copy = Image.open(io.BytesIO(prepared.data))
    assert copy.format == "JPEG" and (prepared.width, prepared.height) == (640, 480)
    assert dict(copy.getexif()) == {}
    assert "exif" not in copy.info and b"Meik" not in prepared.data and b"Kameravalmistaja" not in prepared.data
    assert prepared.content_type == "image/jpeg" and prepared.extension == "jpg"


def test_jpeg__orientation_is_applied_before_the_metadata_goes():
    image = Image.new("RGB", (640, 400), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° when shown
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    prepared = prepare_image(out.getvalue())
    assert (prepared.width, prepared.height) == (400, 640)
    assert dict(Image.open(io.BytesIO(prepared.data)).getexif()) == {}


def test_png__text_chunks_are_dropped_and_transparency_kept():
    prepared = prepare_image(png_bytes())
    copy = Image.open(io.BytesIO(prepared.data))
    assert copy.format == "PNG" and copy.mode == "RGBA"
    assert not copy.text and b"Kotikatu" not in prepared.data
    assert prepared.content_type == "image/png"


def test_webp__is_accepted():
    out = io.BytesIO()
    Image.new("RGB", (500, 500), "green").save(out, format="WEBP")
    assert prepare_image(out.getvalue()).content_type == "image/webp"


def test_a_text_file_named_jpg__is_refused_with_a_clear_message():
    with pytest.raises(ImageError, match="not a JPEG, PNG or WebP image"):
        prepare_image("Tämä ei ole kuva vaan tekstiä.\n".encode())


def test_a_gif__is_refused_even_though_pillow_reads_it():
    out = io.BytesIO()
    Image.new("P", (400, 400)).save(out, format="GIF")
    with pytest.raises(ImageError, match="not a JPEG, PNG or WebP image"):
        prepare_image(out.getvalue())


def test_a_truncated_jpeg__is_refused_as_damaged():
    with pytest.raises(ImageError, match="damaged"):
        prepare_image(jpeg_bytes()[:600])


def _png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that claims huge dimensions: decoding it would take gigabytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [70_000, 9_000])  # far past the bomb limit, and just past it (a warning in Pillow)
def test_decompression_bomb__is_refused_before_it_is_decoded(side):
    with pytest.raises(ImageError, match="too large to open safely|at most 8000 pixels"):
        prepare_image(_png_header_only(side, side))


def test_too_small__is_refused_naming_the_minimum():
    with pytest.raises(ImageError, match="at least 320 pixels"):
        prepare_image(jpeg_bytes((200, 600)))


def test_too_many_bytes__is_refused_naming_the_limit(monkeypatch):
    monkeypatch.setattr(media, "MAX_BYTES", 1000)
    with pytest.raises(ImageError, match="largest allowed"):
        prepare_image(jpeg_bytes())


def test_empty_file__is_refused():
    with pytest.raises(ImageError, match="empty"):
        prepare_image(b"")
