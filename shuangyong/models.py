"""Organisation units (a tree) and users with one role each."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Concat, Length, Substr
from simple_history.models import HistoricalRecords

PATH_STEP = 7  # digits per level of the materialised path: "0000001.0000012."


class OrgUnitKind(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市"
    COUNTY = "county", "县（区）双拥办"
    TOWNSHIP = "township", "乡镇、街道"
    MEMBER_UNIT = "member", "成员单位"
    VILLAGE = "village", "村、社区"
    TROOP = "troop", "驻地部队"


class OrgUnitQuerySet(models.QuerySet["OrgUnit"]):
    def below(self, unit: OrgUnit, *, include_self: bool = True) -> OrgUnitQuerySet:
        """The unit and every unit under it, at any depth, in one query."""
        qs = self.filter(path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)

    def active(self) -> OrgUnitQuerySet:
        return self.filter(is_active=True)


class OrgUnit(models.Model):
    """A node of the organisation tree.

    ``path`` is a materialised path of zero-padded primary keys ("0000001.0000004."), so
    "this unit and everything below it" is one ``path LIKE 'x%'`` query at any depth, and a
    city or province can be put above a county later by re-rooting paths, not by a rewrite.
    """

    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=30, blank=True)
    code = models.SlugField(
        "代码", max_length=30, unique=True, help_text="简短唯一代码，如 fd-xs（字母、数字、连字符）"
    )
    kind = models.CharField("类型", max_length=16, choices=OrgUnitKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField("路径", max_length=255, editable=False, db_index=True, default="")
    sort_order = models.PositiveIntegerField("排序", default=0)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    is_active = models.BooleanField("启用", default=True)
    history = HistoricalRecords()

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = "组织单位"
        verbose_name_plural = "组织单位"
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="orgunit_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._would_be_own_descendant():
            raise ValueError("不能把单位移到它自己或它的下级单位之下")
        old_path = self.path
        super().save(*args, **kwargs)
        prefix = self.parent.path if self.parent_id and self.parent else ""
        new_path = f"{prefix}{self.pk:0{PATH_STEP}d}."
        if new_path != old_path:
            type(self).objects.filter(pk=self.pk).update(path=new_path)
            if old_path:
                # Moving a unit moves its whole subtree: rewrite the descendants' prefix in one UPDATE.
                type(self).objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(models.Value(new_path), Substr("path", Length(models.Value(old_path)) + 1))
                )
            self.path = new_path

    def clean(self) -> None:
        if self._would_be_own_descendant():
            raise ValidationError({"parent": "不能把单位移到它自己或它的下级单位之下。"})

    def _would_be_own_descendant(self) -> bool:
        return bool(self.path and self.parent_id and self.parent and self.parent.path.startswith(self.path))

    @property
    def depth(self) -> int:
        return len(self.path) // (PATH_STEP + 1)

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def is_below(self, other: OrgUnit) -> bool:
        return self.path.startswith(other.path)

    def ancestor_pks(self) -> list[int]:
        return [int(step) for step in self.path.strip(".").split(".") if step]


class Role(models.TextChoices):
    TOWNSHIP_STAFF = "township_staff", "乡镇填报员"
    MEMBER_LIAISON = "member_liaison", "成员单位联络员"
    TROOP_LIAISON = "troop_liaison", "部队联络员"
    OFFICE = "office", "双拥办工作人员"
    LEADER = "leader", "领导"
    ADMIN = "admin", "系统管理员"


READ_ONLY_ROLES = frozenset({Role.LEADER})


class User(AbstractUser):
    """A portal user: exactly one unit, exactly one role."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name="所属单位", on_delete=models.PROTECT, related_name="users", null=True
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.TOWNSHIP_STAFF)
    is_unit_head = models.BooleanField("单位负责人", default=False, help_text="逾期升级提醒发送给单位负责人")
    phone = models.CharField("手机号", max_length=20, blank=True)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def is_read_only(self) -> bool:
        return self.role in READ_ONLY_ROLES

    @property
    def is_office(self) -> bool:
        """双拥办 staff and system administrators run the county."""
        return self.role in (Role.OFFICE, Role.ADMIN)
