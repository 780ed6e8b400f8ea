"""The list pages' shared filter form (components/filter_form.html): the feedback list, the
posts and the archive search group their filters the same way, name a bad value by its field
and offer a way back to the unfiltered list."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db

PAGES = [
    # path, a filter that is set, a value that is not allowed, the legend, the button
    ("/palautteet/", "kind=comment", "state=bogus", "Filter and sort", "Show"),
    ("/julkaisut/", "state=draft", "state=bogus", "Filter", "Show"),
    ("/arkisto/", "q=uimahalli", "date_from=2026-13-45", "Search the archive", "Search"),
]


@pytest.fixture
def lead(client_as):  # type: ignore[no-untyped-def]
    client = client_as("comms_lead")
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.parametrize(("path", "_filtered", "_bad", "legend", "button"), PAGES)
def test_filter_form__groups_the_fields_under_a_legend_without_a_clear_link_when_unfiltered(lead, path, _filtered, _bad, legend, button):
    body = lead.get(path).content.decode()
    form = re.search(rf'<form method="get" action="{re.escape(path)}" class="list-filter">.*?</form>', body, re.S)
    assert form, "the filter form is on the page"
    assert f"<legend>{legend}</legend>" in form.group()
    assert f'<button type="submit">{button}</button>' in form.group()
    assert re.search(r'<label for="id_\w+">', form.group())
    assert "Clear filters" not in form.group()


@pytest.mark.parametrize(("path", "filtered", "_bad", "_legend", "_button"), PAGES)
def test_filter_form__once_filtered_links_back_to_the_unfiltered_list(lead, path, filtered, _bad, _legend, _button):
    body = lead.get(f"{path}?{filtered}").content.decode()
    assert f'<a href="{path}">Clear filters</a>' in body
    name, value = filtered.split("=")
    assert f'<option value="{value}" selected>' in body or f'name="{name}" value="{value}"' in body  # the filter is kept


@pytest.mark.parametrize(("path", "_filtered", "bad", "_legend", "_button"), PAGES)
def test_filter_form__a_bad_value_is_named_in_the_summary_and_read_with_its_field(lead, path, _filtered, bad, _legend, _button):
    response = lead.get(f"{path}?{bad}")
    body = response.content.decode()
    name = bad.split("=")[0]
    assert response.status_code == 200
    assert 'class="error-summary"' in body and f'href="#id_{name}"' in body
    assert re.search(rf'aria-describedby="[^"]*id_{name}_error"', body)
    assert f'id="id_{name}_error"><p class="error">' in body
