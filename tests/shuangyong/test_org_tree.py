import pytest

from shuangyong.models import OrgUnit, OrgUnitKind
from tests.factories import OrgUnitFactory

pytestmark = pytest.mark.django_db


def _chain(depth):
    units = [OrgUnitFactory(kind=OrgUnitKind.COUNTY)]
    for _ in range(depth - 1):
        units.append(OrgUnitFactory(parent=units[-1]))
    return units


def test_units_below_is_one_query_at_depth_four(django_assert_num_queries):
    county, township, village, group = _chain(4)
    OrgUnitFactory(parent=county)  # a sibling branch, not below the township
    with django_assert_num_queries(1):
        below = list(OrgUnit.objects.below(township))
    assert {u.pk for u in below} == {township.pk, village.pk, group.pk}
    assert group.depth == 4


def test_moving_a_unit_moves_its_subtree():
    county, township, village, group = _chain(4)
    other = OrgUnitFactory(parent=county)
    village.parent = other
    village.save()
    group.refresh_from_db()
    assert group.is_below(other)
    assert not group.is_below(township)
    assert set(OrgUnit.objects.below(other)) == {other, village, group}


def test_a_city_can_be_put_above_a_county():
    county, township = _chain(2)
    city = OrgUnitFactory(kind=OrgUnitKind.CITY, name="重庆市")
    county.parent = city
    county.save()
    township.refresh_from_db()
    assert township.is_below(city) and township.depth == 3
    assert set(OrgUnit.objects.below(city)) == {city, county, township}


def test_a_unit_cannot_move_below_itself():
    county, township = _chain(2)
    county.parent = township
    with pytest.raises(ValueError, match="下级"):
        county.save()
