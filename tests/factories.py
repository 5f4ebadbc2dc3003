"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import factory

from shuangyong.models import OrgUnit, OrgUnitKind, Role, User

PASSWORD = "Test-Passw0rd-2026"


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    name = factory.Sequence(lambda n: f"单位{n}")
    code = factory.Sequence(lambda n: f"u{n}")
    kind = OrgUnitKind.TOWNSHIP
    parent = None


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    org_unit = factory.SubFactory(OrgUnitFactory)
    role = Role.TOWNSHIP_STAFF
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
