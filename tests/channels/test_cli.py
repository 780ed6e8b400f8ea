from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest

from somevahti.channels.models import Channel, ChannelAdministrator
from somevahti.config.cli import main
from somevahti.core.calendar import local_midnight
from somevahti.guideline.models import Rule
from somevahti.guideline.services import install_default_guideline
from tests.factories import AbsenceFactory, PersonFactory


def day(y: int, m: int, d: int) -> dt.datetime:
    return local_midnight(dt.date(y, m, d))


@pytest.fixture
def joroinen(organization):
    aino = PersonFactory(organization=organization, name="Aino Virtanen", email="aino@joroinen.fi")
    mikko = PersonFactory(organization=organization, name="Mikko Mäkinen", email="mikko@joroinen.fi")
    sanna = PersonFactory(organization=organization, name="Sanna Laine", email="sanna@joroinen.fi")
    instagram = Channel.objects.create(
        organization=organization, key="instagram-joroinen", platform="instagram", name="Joroisten kunta", status="active"
    )
    facebook = Channel.objects.create(
        organization=organization, key="facebook-joroinen", platform="facebook", name="Joroisten kunta", status="active"
    )
    Channel.objects.create(organization=organization, key="bluesky", platform="bluesky", name="Joroinen", status="planned")
    for person in (aino, mikko):
        ChannelAdministrator.objects.create(channel=instagram, person=person, since=day(2024, 1, 1))
    for person in (aino, mikko, sanna):
        ChannelAdministrator.objects.create(channel=facebook, person=person, since=day(2024, 1, 1))
    AbsenceFactory(person=aino, start=day(2026, 7, 6), end=day(2026, 7, 27))
    return organization


def run(*argv: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_cli_coverage__json_is_exactly_as_documented(joroinen):
    code, out, err = run("coverage", "--org", "joroinen", "--start", "2026-07-01", "--days", "31", "--format", "json")

    assert code == 0, err
    report = json.loads(out)
    assert report == {
        "organization": "joroinen",
        "start": "2026-07-01T00:00:00+03:00",
        "end": "2026-08-01T00:00:00+03:00",
        "min_admins": 2,
        "channels": [
            {"key": "facebook-joroinen", "platform": "facebook", "name": "Joroisten kunta", "gaps": []},
            {
                "key": "instagram-joroinen",
                "platform": "instagram",
                "name": "Joroisten kunta",
                "gaps": [
                    {"start": "2026-07-06T00:00:00+03:00", "end": "2026-07-27T00:00:00+03:00", "available": ["mikko@joroinen.fi"]}
                ],
            },
        ],
    }
    assert list(report) == ["organization", "start", "end", "min_admins", "channels"]
    assert list(report["channels"][1]["gaps"][0]) == ["start", "end", "available"]


def test_cli_coverage__text_lists_each_active_channel_and_its_gaps(joroinen):
    code, out, err = run("coverage", "--org", "joroinen", "--start", "2026-07-01", "--days", "31", "--lang", "en")

    assert code == 0, err
    assert out == (
        "Administrator coverage of Joroisten kunta from 1.7.2026 to 31.7.2026: "
        "at least 2 administrators are required.\n"
        "\n"
        "Facebook: Joroisten kunta (facebook-joroinen)\n"
        "  No gaps.\n"
        "\n"
        "Instagram: Joroisten kunta (instagram-joroinen)\n"
        "  6.7.2026–26.7.2026: 1 of 2 available: Mikko Mäkinen <mikko@joroinen.fi>.\n"
    )


def test_cli_coverage__json_offsets_follow_the_autumn_change_of_the_clocks(joroinen):
    code, out, _err = run("coverage", "--org", "joroinen", "--start", "2026-10-24", "--days", "3", "--format", "json")

    assert code == 0
    report = json.loads(out)
    assert (report["start"], report["end"]) == ("2026-10-24T00:00:00+03:00", "2026-10-27T00:00:00+02:00")


def test_cli_coverage__json_offsets_follow_the_spring_change_of_the_clocks(joroinen):
    ChannelAdministrator.objects.filter(person__email="mikko@joroinen.fi").delete()

    code, out, _err = run("coverage", "--org", "joroinen", "--start", "2026-03-28", "--days", "3", "--format", "json")

    assert code == 0
    report = json.loads(out)
    (gap,) = report["channels"][1]["gaps"]
    assert (gap["start"], gap["end"]) == ("2026-03-28T00:00:00+02:00", "2026-03-31T00:00:00+03:00")


def test_cli_coverage__uses_the_organizations_rule_parameter(joroinen):
    install_default_guideline(organization=joroinen)
    Rule.objects.filter(guideline__organization=joroinen, code="MAINT-ADMINS").update(parameters={"min_admins": 3})

    _code, out, _err = run("coverage", "--org", "joroinen", "--start", "2026-07-01", "--days", "1", "--format", "json")

    report = json.loads(out)
    assert report["min_admins"] == 3
    assert report["channels"][0]["gaps"] == []
    assert report["channels"][1]["gaps"][0]["available"] == ["aino@joroinen.fi", "mikko@joroinen.fi"]


def test_cli_coverage__unknown_organization_exits_2(joroinen):
    code, out, err = run("coverage", "--org", "nowhere", "--lang", "en")

    assert code == 2
    assert out == ""
    assert "There is no organization nowhere." in err


@pytest.mark.parametrize("args", [["--start", "2026-02-30"], ["--start", "huomenna"], ["--days", "0"]])
def test_cli_coverage__bad_start_or_days_exits_2(joroinen, args):
    code, out, err = run("coverage", "--org", "joroinen", *args)

    assert code == 2
    assert out == ""
    assert err.startswith("somevahti coverage: --")
