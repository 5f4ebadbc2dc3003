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


def test_a_text_too_long_is_told_in_words_a_clerk_reads():
    from django import forms as django_forms

    from shuangyong.forms import BootstrapFormMixin

    class NoteForm(BootstrapFormMixin, django_forms.Form):
        note = django_forms.CharField(max_length=10)
        reason = django_forms.CharField(max_length=10, error_messages={"max_length": "理由最多 10 字。"})

    form = NoteForm(data={"note": "字" * 25, "reason": "字" * 25})
    assert not form.is_valid()
    assert form.errors["note"] == ["最多 10 个字，现在是 25 个字，请删减。"]
    assert form.errors["reason"] == ["理由最多 10 字。"]  # a form's own message stays
