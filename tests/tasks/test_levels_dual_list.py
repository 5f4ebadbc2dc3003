"""The 双清单 at every level (issue 15): the office that signs an item off is the troop's own (its
nearest office unit above, the county), even with a city above; each office keeps its own
categories beside the shared defaults."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shuangyong.models import Notification, Role
from tasks.dual_list_services import (
    dual_list_category_save,
    dual_list_item_assign,
    dual_list_item_confirm,
    dual_list_item_create,
    dual_list_item_request_close,
    dual_list_item_start,
)
from tasks.models import DualListCategory, DualListDirection, DualListItem, DualListState
from tasks.policy import allowed_actions, is_office_confirmer
from tasks.reminders import DualListSource
from tests.factories import UserFactory
from tests.tasks.factories import DualListCategoryFactory, DualListItemFactory

pytestmark = pytest.mark.django_db
S = DualListState


@pytest.fixture
def item(levels_city, troop_unit, office_user, township_a_unit):
    return DualListItemFactory(
        troop_unit=troop_unit,
        created_by=office_user,
        direction=DualListDirection.TO_LOCALITY,
        responsible_unit=township_a_unit,
        state=S.ASSIGNED,
    )


def test_the_confirming_office_is_the_county_even_with_a_city_above(
    item, office_user, levels_city_office, township_a, troop_liaison
):
    dual_list_item_start(user=township_a, item=item)
    dual_list_item_request_close(user=township_a, item=item, note="已办结")
    # The county's office is told, the city's is not (the root of the tree is the city now).
    told = set(Notification.objects.filter(title__startswith="双清单申请销号").values_list("recipient", flat=True))
    assert office_user.pk in told and levels_city_office.pk not in told
    item.refresh_from_db()
    assert is_office_confirmer(office_user, item) and not is_office_confirmer(levels_city_office, item)
    assert allowed_actions(levels_city_office, item) == []  # the city reads the item, nothing more
    with pytest.raises(PermissionDenied):
        dual_list_item_confirm(user=levels_city_office, item=item)
    second = UserFactory(username="office2", org_unit=office_user.org_unit, role=Role.OFFICE)
    dual_list_item_confirm(user=office_user, item=item)
    dual_list_item_confirm(user=second, item=item)
    assert DualListItem.objects.get(pk=item.pk).state == S.CLOSED


def test_the_city_cannot_assign_a_countys_item(item, levels_city_office, township_b_unit, troop_unit):
    with pytest.raises(PermissionDenied):
        dual_list_item_assign(user=levels_city_office, item=item, responsible_unit=township_b_unit)
    with pytest.raises(ValidationError) as error:  # nor record one for a county's troop
        dual_list_item_create(
            user=levels_city_office,
            year=2022,
            direction=DualListDirection.TO_TROOPS,
            content="协调训练场地",
            troop_unit=troop_unit,
        )
    assert "troop_unit" in error.value.message_dict


def test_the_close_confirm_reminder_goes_to_the_county_office(item, office_user, levels_city_office):
    item.state = S.CLOSE_REQUESTED
    item.close_requested_at = dt.datetime(2022, 5, 1, tzinfo=dt.UTC)
    item.save()
    dues = list(DualListSource().other_reminders(today=dt.date(2022, 5, 10), policy=_policy()))
    assert {d.recipient_id for d in dues} == {office_user.pk}


def _policy():
    from shuangyong.models import ReminderPolicy

    return ReminderPolicy.load()


# --- categories, per office -------------------------------------------------------------------


def test_a_county_office_edits_only_its_own_categories(office_user, levels_county2_office, levels_county2, client):
    default = DualListCategoryFactory(name="演训保障")  # a shared default (no owner)
    ours = dual_list_category_save(user=office_user, name="征兵宣传")
    theirs = dual_list_category_save(user=levels_county2_office, name="征兵宣传")  # the same name, another office
    assert ours.owner_unit == office_user.org_unit and theirs.owner_unit == levels_county2
    with pytest.raises(PermissionDenied):
        dual_list_category_save(user=office_user, category=theirs, name="改名", version=theirs.version)
    with pytest.raises(PermissionDenied):
        dual_list_category_save(user=office_user, category=default, name="改名", version=default.version)
    with pytest.raises(ValidationError):  # two of the office's own with one name
        dual_list_category_save(user=office_user, name="征兵宣传")
    with pytest.raises(ValidationError):  # a name the shared defaults already offer
        dual_list_category_save(user=office_user, name="演训保障")
    client.force_login(office_user)
    assert client.get(reverse("tasks:dual_category_edit", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("tasks:dual_category_edit", args=[default.pk])).status_code == 404
    response = client.post(
        reverse("tasks:dual_category_edit", args=[ours.pk]), {"name": "征兵宣传教育", "sort_order": 1, "version": 1}
    )
    assert response.status_code == 302
    assert DualListCategory.objects.get(pk=ours.pk).name == "征兵宣传教育"
    assert DualListCategory.objects.get(pk=theirs.pk).name == "征兵宣传"
    page = client.get(reverse("tasks:dual_categories")).content.decode()
    assert "演训保障" in page and "征兵宣传教育" in page and page.count('data-testid="category-row"') == 2


def test_the_item_form_offers_the_defaults_and_the_offices_own(
    office_user, levels_county2_office, troop_unit, troop_liaison, client
):
    DualListCategoryFactory(name="演训保障")
    dual_list_category_save(user=office_user, name="铜梁自定")
    theirs = dual_list_category_save(user=levels_county2_office, name="永川自定")
    for user in (office_user, troop_liaison):  # the troop's liaison gets its county office's list
        client.force_login(user)
        page = client.get(reverse("tasks:dual_item_create")).content.decode()
        assert "演训保障" in page and "铜梁自定" in page and "永川自定" not in page
    with pytest.raises(ValidationError):  # another office's category, posted anyway
        dual_list_item_create(
            user=office_user,
            year=2022,
            direction=DualListDirection.TO_TROOPS,
            content="协调训练场地",
            troop_unit=troop_unit,
            category=theirs,
        )


def test_existing_categories_stay_shared_defaults(office_user, levels_county2_office):
    """What the migration leaves: rows without an owner, offered to every office, kept in the admin."""
    default = DualListCategoryFactory(name="子女入学")
    assert default.owner_unit is None
    for user in (office_user, levels_county2_office):
        from tasks.selectors import categories_for

        assert default in categories_for(user)
