"""factory_boy factories for the records tests need."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from qms.core import services
from qms.core.models import Membership, Organization, OrgUnit
from qms.core.roles import Role

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


def make_unit(organization, name="Head office", parent=None, **kwargs) -> OrgUnit:
    return services.org_unit_create(organization=organization, name=name, parent=parent, **kwargs)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.CONTRIBUTOR
    access_expires_on = factory.LazyAttribute(
        lambda m: (
            timezone.localdate() + datetime.timedelta(days=30) if m.role == Role.AUDITOR else None
        )
    )
