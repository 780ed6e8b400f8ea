"""Images of posts: validated by their content, re-encoded without metadata, stored under
unguessable names (CONTENT-IMAGES; EMP-CONFIDENTIAL — a photo's EXIF can carry the place where
it was taken, the camera's owner and the time).

Only JPEG, PNG and WebP are accepted, recognised by Pillow from the bytes, never from the file
name. The original is kept privately in the data folder; the public copy is re-encoded from the
pixels alone (orientation applied), so no EXIF, GPS, XMP, IPTC or comments survive.
"""

from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_BYTES = 8 * 1024 * 1024
MIN_SIDE = 320
MAX_SIDE = 8000
# Pillow refuses anything larger before decoding it (decompression bombs).
MAX_PIXELS = MAX_SIDE * MAX_SIDE

FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}
CONTENT_TYPES = {ext: content_type for ext, content_type in FORMATS.values()}


class ImageError(ValueError):
    """An upload that is not an image we publish; the message says why, translated."""


@dataclass(frozen=True)
class PreparedImage:
    data: bytes            # the public copy: re-encoded pixels, no metadata
    extension: str
    content_type: str
    width: int
    height: int


def prepare_image(data: bytes) -> PreparedImage:
    """Check an upload and make its public copy. Raises ImageError with a clear message."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if len(data) > MAX_BYTES:
        raise ImageError(
            _("The image is %(size)s; the largest allowed is %(max)s.")
            % {"size": filesizeformat(len(data)), "max": filesizeformat(MAX_BYTES)}
        )
    if not data:
        raise ImageError(_("The file is empty."))
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            # A DecompressionBombWarning (between MAX_PIXELS and twice that) is an error here too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as image:
                kind = image.format or ""
                width, height = image.size
                if width > MAX_SIDE or height > MAX_SIDE:
                    raise ImageError(
                        _("The image is %(width)s × %(height)s pixels; each side may be at most %(max)s pixels.")
                        % {"width": width, "height": height, "max": MAX_SIDE}
                    )
                image.load()
                clean = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(
            _("The image is too large to open safely (more than %(max)s pixels).") % {"max": f"{MAX_PIXELS:,}".replace(",", " ")}
        ) from None
    except UnidentifiedImageError:
        raise ImageError(_("The file is not a JPEG, PNG or WebP image.")) from None
    except (OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, ImageError):
            raise
        raise ImageError(_("The image file is damaged and cannot be read.")) from None
    if kind not in FORMATS:
        raise ImageError(_("The file is not a JPEG, PNG or WebP image."))
    width, height = clean.size
    if width < MIN_SIDE or height < MIN_SIDE:
        raise ImageError(
            _("The image is %(width)s × %(height)s pixels; each side must be at least %(min)s pixels.")
            % {"width": width, "height": height, "min": MIN_SIDE}
        )
    extension, content_type = FORMATS[kind]
    # Only the pixels are copied into a new image: nothing else of the file comes along.
    mode = clean.mode
    if kind == "JPEG" and mode not in ("RGB", "L"):
        clean = clean.convert("RGB")
    elif mode not in ("RGB", "RGBA", "L", "LA", "P"):
        clean = clean.convert("RGBA")
    bare = Image.new(clean.mode, clean.size)
    if clean.mode == "P":
        bare.putpalette(clean.getpalette() or [])
        if "transparency" in clean.info:
            bare.info["transparency"] = clean.info["transparency"]
    bare.paste(clean)
    out = io.BytesIO()
    if kind == "JPEG":
        bare.save(out, format="JPEG", quality=90, optimize=True)
    elif kind == "PNG":
        bare.save(out, format="PNG", optimize=True)
    else:
        bare.save(out, format="WEBP", quality=90)
    return PreparedImage(out.getvalue(), extension, content_type, width, height)


# --- storage ----------------------------------------------------------------------------------


def media_root() -> Path:
    return Path(settings.DATA_DIR) / "publishing"


def public_path(name: str) -> Path:
    return media_root() / "public" / name


def original_path(name: str) -> Path:
    return media_root() / "originals" / name


def new_token() -> str:
    return secrets.token_urlsafe(24)


def store(*, original: bytes, prepared: PreparedImage) -> tuple[str, str]:
    """Write both files; returns (public token, original file name)."""
    token, original_name = new_token(), f"{new_token()}.orig"
    for path, content in ((public_path(f"{token}.{prepared.extension}"), prepared.data), (original_path(original_name), original)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        path.chmod(0o600)
    return token, original_name


def delete_files(*, token: str, extension: str, original_name: str) -> None:
    for path in (public_path(f"{token}.{extension}"), original_path(original_name)):
        path.unlink(missing_ok=True)
