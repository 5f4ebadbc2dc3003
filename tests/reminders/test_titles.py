"""Users' text with line breaks must not break notification e-mails (a subject may not hold one)."""

import pytest
from django.core import mail

from shuangyong.models import DeliveryState, Notification
from shuangyong.notifications import deliver_pending, notify

pytestmark = pytest.mark.django_db


def test_a_title_with_line_breaks_is_folded_and_the_email_goes_out(township_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        notify(recipients=[township_a], title="新交办：协调训练场\r\n解决用水", body="正文\n第二行", url="/x/")
    note = Notification.objects.get()
    assert note.title == "新交办：协调训练场 解决用水"
    deliver_pending()
    note.refresh_from_db()
    assert note.delivery_state == DeliveryState.SENT
    assert mail.outbox[0].subject == "[双拥通] 新交办：协调训练场 解决用水"
    assert "第二行" in mail.outbox[0].body


def test_a_long_title_is_cut_with_an_ellipsis(township_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        notify(recipients=[township_a], title="长" * 300, body="", url="")
    title = Notification.objects.get().title
    assert len(title) == 200 and title.endswith("…")
