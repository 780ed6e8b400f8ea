"""Every message of the checks core is translated into Finnish and Swedish."""

from __future__ import annotations

import pytest

from somevahti.checks import REGISTRY, cli
from somevahti.checks.i18n import translate

CLI_MESSAGES = [value for name, value in vars(cli).items() if name.startswith("M_")]
CHECK_MESSAGES = [m for check in REGISTRY.values() for m in (check.message, check.suggestion)]
# Words that are the same in both languages.
SAME_IN_TRANSLATION = {"info"}


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_translations__every_core_message_has_a_translation(lang: str) -> None:
    missing = [
        m for m in CLI_MESSAGES + CHECK_MESSAGES if translate(m, lang) == m and m not in SAME_IN_TRANSLATION
    ]
    assert missing == []


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_translations__keep_the_named_placeholders(lang: str) -> None:
    import re

    for message in CLI_MESSAGES + CHECK_MESSAGES:
        assert sorted(re.findall(r"%\(\w+\)s", translate(message, lang))) == sorted(
            re.findall(r"%\(\w+\)s", message)
        )


def test_translations__english_is_the_source_text() -> None:
    assert all(translate(m, "en") == m for m in CLI_MESSAGES + CHECK_MESSAGES)
