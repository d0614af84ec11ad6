"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from actions.models import Axis, AxisKind, Contract, ContractStatus, FicheAction
from cls_platform.models import Access, Role, Territory, User
from partners.models import Contact, Organization
from workgroups.models import Meeting, WorkGroup

PASSWORD = "mot-de-passe-de-test-42"


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Commune {n}")
    slug = factory.Sequence(lambda n: f"commune-{n}")
    department_code = "95"
    region = "Île-de-France"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    full_name = factory.Sequence(lambda n: f"Personne {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


class AccessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Access

    user = factory.SubFactory(UserFactory)
    territory = factory.SubFactory(TerritoryFactory)
    role = Role.COORDINATOR


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    territory = factory.SubFactory(TerritoryFactory)
    name = factory.Sequence(lambda n: f"Structure {n}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    territory = factory.SubFactory(TerritoryFactory)
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    email = factory.Sequence(lambda n: f"contact{n}@partenaire.fr")
    organization = factory.SubFactory(
        OrganizationFactory, territory=factory.SelfAttribute("..territory")
    )


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    territory = factory.SubFactory(TerritoryFactory)
    title = factory.Sequence(lambda n: f"Contrat local de santé {n}")
    start_year = 2023
    end_year = 2028
    status = ContractStatus.SIGNED
    signed_on = dt.date(2023, 9, 21)


class AxisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Axis

    contract = factory.SubFactory(ContractFactory)
    kind = AxisKind.THEMATIC
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Axe {n}")


class FicheActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FicheAction

    contract = factory.SubFactory(ContractFactory)
    thematic_axis = factory.SubFactory(AxisFactory, contract=factory.SelfAttribute("..contract"))
    number = factory.Sequence(lambda n: f"1.{n + 1}")
    title = factory.Sequence(lambda n: f"Action {n}")


class WorkGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkGroup

    contract = factory.SubFactory(ContractFactory)
    name = factory.Sequence(lambda n: f"Groupe de travail {n}")


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    group = factory.SubFactory(WorkGroupFactory)
    title = factory.Sequence(lambda n: f"Réunion {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda m: m.starts_at + dt.timedelta(hours=2))
