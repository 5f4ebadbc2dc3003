from __future__ import annotations

from typing import Any

from django import forms

from shuangyong.forms import BootstrapFormMixin
from shuangyong.models import User
from visits.models import Campaign
from visits.selectors import campaigns_for


class CampaignChoiceForm(BootstrapFormMixin, forms.Form):
    """Which campaign the dashboard shows (the current one when none is chosen)."""

    campaign: forms.ModelChoiceField[Campaign] = forms.ModelChoiceField(
        label="走访慰问活动", queryset=Campaign.objects.none(), required=False, empty_label="当前活动"
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns_for(user)  # type: ignore[attr-defined]
