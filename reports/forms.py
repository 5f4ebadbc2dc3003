from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from reports.selectors import workbook_campaigns_for
from shuangyong.forms import BootstrapFormMixin
from shuangyong.models import User
from tasks.selectors import years_for
from visits.models import Campaign


class CampaignChoiceForm(BootstrapFormMixin, forms.Form):
    """Which campaign the dashboard shows (the current one when none is chosen) and the year of
    its task figures (this year when none is chosen)."""

    campaign: forms.ModelChoiceField[Campaign] = forms.ModelChoiceField(
        label="走访慰问活动", queryset=Campaign.objects.none(), required=False, empty_label="当前活动"
    )
    year = forms.TypedChoiceField(label="任务年度", coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = workbook_campaigns_for(user)  # type: ignore[attr-defined]
        this_year = timezone.localdate().year
        years = sorted({*years_for(user), this_year}, reverse=True)
        self.fields["year"].choices = [("", f"今年（{this_year}年）"), *((y, f"{y}年") for y in years)]  # type: ignore[attr-defined]
