"""factory_boy factories with Finnish and Swedish fake data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.contrib.auth import get_user_model

from somevahti.channels.models import Channel
from somevahti.core.calendar import local_midnight
from somevahti.people.models import Absence, Organization, Person, PersonRole

FIRST_NAMES = ["Aino", "Eero", "Kaisa", "Mikko", "Liisa", "Juha", "Saara", "Pekka", "Elsa", "Björn", "Ingrid", "Lars"]
LAST_NAMES = ["Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Heikkinen", "Lindqvist", "Holmström", "Laine"]


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"kunta-{n}")
    name = factory.Sequence(lambda n: f"Testikunta {n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {LAST_NAMES[n % len(LAST_NAMES)]}")
    email = factory.Sequence(lambda n: f"henkilo{n}@joroinen.fi")
    title = "Suunnittelija"
    active_from = dt.date(2020, 1, 1)


class AbsenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Absence

    person = factory.SubFactory(PersonFactory)
    start = factory.LazyFunction(lambda: local_midnight(dt.date(2026, 7, 6)))
    end = factory.LazyFunction(lambda: local_midnight(dt.date(2026, 7, 27)))
    kind = Absence.Kind.VACATION


class ChannelFactory(factory.django.DjangoModelFactory):
    """An active Facebook page; a test names the page id that its platform or recorded delivery uses."""

    class Meta:
        model = Channel

    organization = factory.SubFactory(OrganizationFactory)
    key = "facebook-joroinen"
    platform = "facebook"
    name = "Joroisten kunta"
    platform_id = "1234567890"
    status = Channel.Status.ACTIVE


def make_user_person(organization: Organization, *, roles: tuple[str, ...] | list[str], **fields: Any) -> tuple[Any, Person]:
    person = PersonFactory(organization=organization, **fields)
    user = get_user_model().objects.create_user(username=person.email, email=person.email, password=None)
    person.user = user
    person.save(update_fields=["user"])
    for role in roles:
        PersonRole.objects.create(person=person, role=role)
    return user, person
