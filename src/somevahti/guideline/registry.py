"""The rule registry. Each rule is one class in the app whose data it judges:

    @register
    class AdministratorCoverage(RuleCheck):
        code = "MAINT-ADMINS"
        def evaluate(self, *, organization, rule, now): yield Found(...)

A rule code that has no registered check is shown as "not yet automated", never as passing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from .models import Rule


def gettext_noop(message: str) -> str:
    """Marks a finding's message for translation; it is translated when shown."""
    return message


@dataclass(frozen=True)
class Found:
    key: str                      # stable identity of this finding within the rule
    message: str                  # English msgid with %(name)s placeholders
    params: dict[str, Any] = field(default_factory=dict)
    subject: str = ""
    url: str = ""
    severity: str | None = None   # the rule's severity when None


class RuleCheck:
    code: ClassVar[str]

    def evaluate(self, *, organization: Any, rule: Rule, now: dt.datetime) -> Iterable[Found]:
        raise NotImplementedError  # each registered rule implements it


_REGISTRY: dict[str, RuleCheck] = {}


def register(cls: type[RuleCheck]) -> type[RuleCheck]:
    if cls.code in _REGISTRY and type(_REGISTRY[cls.code]) is not cls:
        raise ValueError(f"rule {cls.code} registered twice")
    _REGISTRY[cls.code] = cls()
    return cls


def check_for(code: str) -> RuleCheck | None:
    return _REGISTRY.get(code)


def automated_codes() -> frozenset[str]:
    return frozenset(_REGISTRY)
