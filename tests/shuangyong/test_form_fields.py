from django import forms
from django.template.loader import render_to_string
from django.utils.html import format_html


class _Form(forms.Form):
    name = forms.CharField(label="名称", help_text="<script>alert(1)</script>")
    rich = forms.CharField(label="说明", help_text=format_html("<b>{}</b>", "加粗"))


def test_help_text_is_escaped_unless_marked_safe_by_code():
    html = render_to_string("shuangyong/_form_fields.html", {"form": _Form()})
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert "<b>加粗</b>" in html  # e.g. Django's password rules list is built with format_html
