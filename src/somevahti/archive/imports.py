"""Reading platform history from Meta's "download your information" exports.

Facebook: posts (`your_posts_1.json`, `profile_posts_1.json`: a list of
`{"timestamp", "data": [{"post": …}], "title", "attachments"}`) and comments
(`comments.json`: `{"comments_v2": [{"timestamp", "data": [{"comment": {"timestamp", "comment",
"author"}}], "title"}]}`). Instagram: posts (`content/posts_1.json`: a list of
`{"media": [{"uri", "creation_timestamp", "title"}], "title", "creation_timestamp"}`) and
comments (`comments/post_comments_1.json`: a list, or `{"comments_media_comments": [...]}`, of
`{"string_map_data": {"Comment": {"value"}, "Media Owner": {"value"}, "Time": {"timestamp"}}}`).

Meta writes UTF-8 bytes as if each were a Latin-1 character ("\u00c3\u00a4" for "ä");
`fix_mojibake` undoes that. Nothing here touches the database: a file is read whole and every
problem is found before anything is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

FB_POSTS = "facebook_posts"
FB_COMMENTS = "facebook_comments"
IG_POSTS = "instagram_posts"
IG_COMMENTS = "instagram_comments"


class ImportFileError(ValueError):
    """What is wrong with the file, and where."""


@dataclass(frozen=True)
class ImportedItem:
    source: str  # one of the four formats above
    occurred_at: dt.datetime
    text: str
    author: str
    payload: dict[str, Any]

    @property
    def source_id(self) -> str:
        """The same post or comment gives the same id however often it is imported."""
        key = json.dumps([self.source, self.occurred_at.isoformat(), self.text], ensure_ascii=False)
        return "import:" + hashlib.sha256(key.encode()).hexdigest()


def fix_mojibake(value: Any) -> Any:
    """Undo Meta's Latin-1 escaping of UTF-8 in every string of a JSON value."""
    if isinstance(value, str):
        try:
            return value.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return value  # already proper text (a character above U+00FF, or not UTF-8 bytes)
    if isinstance(value, list):
        return [fix_mojibake(v) for v in value]
    if isinstance(value, dict):
        return {fix_mojibake(k): fix_mojibake(v) for k, v in value.items()}
    return value


def _moment(value: Any, where: str) -> dt.datetime:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ImportFileError(
            _("%(where)s: the time is missing or is not a Unix timestamp.") % {"where": where}
        )
    try:
        return dt.datetime.fromtimestamp(value, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        raise ImportFileError(
            _("%(where)s: the time %(value)s is out of range.") % {"where": where, "value": value}
        ) from None


def _detect(data: Any) -> tuple[str, list[Any]]:
    if isinstance(data, dict):
        if isinstance(data.get("comments_v2"), list):
            return FB_COMMENTS, data["comments_v2"]
        for key, value in data.items():
            if key.startswith("comments_") and isinstance(value, list):
                return IG_COMMENTS, value
        raise ImportFileError(
            _(
                "The file is not a Facebook or Instagram export this import knows: no list of posts or comments in it."
            )
        )
    if not isinstance(data, list):
        raise ImportFileError(_("The file is not a Facebook or Instagram export this import knows."))
    first = next((item for item in data if isinstance(item, dict)), None)
    if first is None:
        if data:
            raise ImportFileError(_("Item 1: expected an object with a time and a text."))
        return FB_POSTS, []
    if "string_map_data" in first:
        return IG_COMMENTS, data
    if "media" in first:
        return IG_POSTS, data
    if "timestamp" in first:
        return FB_POSTS, data
    raise ImportFileError(
        _(
            "The file is not a Facebook or Instagram export this import knows: its items have neither %(a)s, %(b)s nor %(c)s."
        )
        % {"a": "timestamp", "b": "media", "c": "string_map_data"}
    )


def _fb_post(item: dict[str, Any], where: str) -> ImportedItem:
    text = "\n".join(str(d["post"]) for d in item.get("data") or [] if isinstance(d, dict) and d.get("post"))
    return ImportedItem(FB_POSTS, _moment(item.get("timestamp"), where), text, "", item)


def _fb_comment(item: dict[str, Any], where: str) -> ImportedItem:
    comment: dict[str, Any] = next(
        (
            d["comment"]
            for d in item.get("data") or []
            if isinstance(d, dict) and isinstance(d.get("comment"), dict)
        ),
        {},
    )
    when = comment.get("timestamp", item.get("timestamp"))
    return ImportedItem(
        FB_COMMENTS,
        _moment(when, where),
        str(comment.get("comment", "")),
        str(comment.get("author", "")),
        item,
    )


def _ig_post(item: dict[str, Any], where: str) -> ImportedItem:
    media = [m for m in item.get("media") or [] if isinstance(m, dict)]
    text = str(item.get("title") or next((m.get("title") for m in media if m.get("title")), "") or "")
    when = item.get("creation_timestamp") or next(
        (m.get("creation_timestamp") for m in media if m.get("creation_timestamp")), None
    )
    return ImportedItem(IG_POSTS, _moment(when, where), text, "", item)


def _ig_comment(item: dict[str, Any], where: str) -> ImportedItem:
    fields = item.get("string_map_data")
    if not isinstance(fields, dict):
        raise ImportFileError(
            _("%(where)s: %(field)s is missing.") % {"where": where, "field": "string_map_data"}
        )
    text = str((fields.get("Comment") or {}).get("value", ""))
    when = (fields.get("Time") or {}).get("timestamp")
    owner = str((fields.get("Media Owner") or {}).get("value", ""))
    return ImportedItem(IG_COMMENTS, _moment(when, where), text, owner, item)


_PARSERS = {FB_POSTS: _fb_post, FB_COMMENTS: _fb_comment, IG_POSTS: _ig_post, IG_COMMENTS: _ig_comment}


def parse_export(raw: bytes, *, name: str = "") -> tuple[str, list[ImportedItem]]:
    """(format, items) of one export file, or ImportFileError naming the first problem."""
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ImportFileError(_("%(file)s is not UTF-8 text.") % {"file": name or _("The file")}) from None
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            _("%(file)s is not valid JSON: %(problem)s at line %(line)s, column %(column)s.")
            % {"file": name or _("The file"), "problem": exc.msg, "line": exc.lineno, "column": exc.colno}
        ) from None
    fmt, items = _detect(fix_mojibake(data))
    parser = _PARSERS[fmt]
    parsed = []
    for index, item in enumerate(items, start=1):
        where = _("Item %(number)s") % {"number": index}
        if not isinstance(item, dict):
            raise ImportFileError(
                _("%(where)s: expected an object with a time and a text.") % {"where": where}
            )
        parsed.append(parser(item, where))
    return fmt, parsed
