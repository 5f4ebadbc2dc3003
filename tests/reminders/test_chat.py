"""Group-chat robots (企业微信/政务微信, 钉钉) get the office's daily overdue summary: the right
JSON and signature, posted to a local fake webhook server; a failing robot is retried with
backoff and never holds up e-mail."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.urls import reverse

from shuangyong import chat
from shuangyong.crypto import decrypt, encrypt
from shuangyong.models import ChatChannel, ChatKind, ChatPost, DeliveryState, Role
from shuangyong.reminders import run_scan
from tests.factories import UserFactory
from tests.reminders.conftest import DEADLINE, at

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
SECRET = "SEC0123456789abcdef"


class FakeRobot:
    """A webhook server on 127.0.0.1 (a thread): records each request, answers from a script."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.statuses: list[int] = []  # answers to give, then 200 {"errcode": 0}
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                body = self.rfile.read(length)
                robot.requests.append(
                    {"path": self.path, "json": json.loads(body), "content_type": self.headers["Content-Type"]}
                )
                status = robot.statuses.pop(0) if robot.statuses else 200
                answer = {"errcode": 0, "errmsg": "ok"} if status == 200 else {"errcode": -1, "errmsg": "boom"}
                data = json.dumps(answer).encode()
                self.send_response(status)
                if 300 <= status < 400:  # e.g. to the cloud's metadata service
                    self.send_header("Location", robot.url + "/elsewhere")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robot():
    server = FakeRobot()
    yield server
    server.stop()


@pytest.fixture
def overdue(source, township_a_unit, township_b_unit, office_user, township_a):
    source.add(unit=township_a_unit, label="任务甲", deadline=DEADLINE - 5 * DAY)
    source.add(unit=township_b_unit, label="任务乙", deadline=DEADLINE - DAY)
    source.add(unit=township_b_unit, label="任务丙", deadline=DEADLINE + 2 * DAY)  # not overdue


def channel(county, robot, kind, *, secret="", path="/cgi-bin/webhook/send?key=abc") -> ChatChannel:
    return ChatChannel.objects.create(
        office_unit=county,
        kind=kind,
        name="双拥办工作群",
        webhook_encrypted=encrypt(robot.url + path),
        secret_encrypted=encrypt(secret),
    )


def test_wecom_robot_gets_the_summary_as_markdown(travel, overdue, county, robot):
    channel(county, robot, ChatKind.WECOM)
    travel(at(DEADLINE))
    result = run_scan()
    assert result.chat_posts == 1
    [request] = robot.requests
    assert request["path"] == "/cgi-bin/webhook/send?key=abc"
    assert request["content_type"].startswith("application/json")
    body = request["json"]
    assert set(body) == {"msgtype", "markdown"} and body["msgtype"] == "markdown"
    content = body["markdown"]["content"]
    assert set(body["markdown"]) == {"content"}
    assert "**每日逾期汇总（2026年12月10日）：2项逾期，1项逾期3天以上**" in content
    assert "按单位：巴川街道 1项；东城街道 1项" in content
    assert "任务甲" in content and "逾期5天（已升级）" in content and "任务丙" not in content
    assert "(http://127.0.0.1:8000/tasks/" in content  # each item links to its page
    assert len(content.encode()) <= 4096
    assert ChatPost.objects.get().state == DeliveryState.SENT

    run_scan()
    travel(at(DEADLINE, hour=18))
    run_scan()
    assert len(robot.requests) == 1  # once a day


def test_dingtalk_robot_gets_markdown_with_a_signed_timestamp(travel, overdue, county, robot):
    channel(county, robot, ChatKind.DINGTALK, secret=SECRET, path="/robot/send?access_token=tok")
    travel(at(DEADLINE))
    run_scan()
    [request] = robot.requests
    path, _, query = request["path"].partition("?")
    params = urllib.parse.parse_qs(query)
    assert path == "/robot/send" and params["access_token"] == ["tok"]
    timestamp = params["timestamp"][0]
    assert abs(int(timestamp) - int(at(DEADLINE).timestamp() * 1000)) < 5000  # milliseconds
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert params["sign"] == [expected]  # parse_qs decoded the URL-encoding
    assert f"&sign={urllib.parse.quote_plus(expected)}" in request["path"]  # sent URL-encoded
    body = request["json"]
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == "每日逾期汇总（2026年12月10日）：2项逾期，1项逾期3天以上"
    assert "任务乙" in body["markdown"]["text"]


def test_a_failing_robot_is_retried_with_backoff_and_e_mail_still_goes(travel, overdue, county, robot, office_user):
    robot.statuses = [500, 500]
    channel(county, robot, ChatKind.WECOM)
    travel(at(DEADLINE))
    run_scan()
    assert len(mail.outbox) == 2  # the township's and the office's digests went out regardless
    post = ChatPost.objects.get()
    assert post.state == DeliveryState.PENDING and post.attempts == 1 and "HTTP 500" in post.last_error
    assert post.next_attempt_at == at(DEADLINE) + dt.timedelta(minutes=chat.BACKOFF_MINUTES[0])

    travel(at(DEADLINE) + dt.timedelta(seconds=30))
    run_scan()
    assert len(robot.requests) == 1  # still waiting out its backoff
    travel(at(DEADLINE) + dt.timedelta(minutes=1))
    run_scan()
    post.refresh_from_db()
    assert len(robot.requests) == 2 and post.attempts == 2
    assert post.next_attempt_at == at(DEADLINE) + dt.timedelta(minutes=1 + chat.BACKOFF_MINUTES[1])  # waits longer
    travel(at(DEADLINE) + dt.timedelta(minutes=6))
    run_scan()
    post.refresh_from_db()
    assert post.state == DeliveryState.SENT and len(robot.requests) == 3
    assert len(mail.outbox) == 2  # nothing sent twice


def test_a_robot_that_never_answers_is_given_up_and_e_mail_is_not_delayed(travel, overdue, county, office_user):
    ChatChannel.objects.create(
        office_unit=county,
        kind=ChatKind.WECOM,
        name="坏地址",
        webhook_encrypted=encrypt("http://127.0.0.1:1/webhook"),  # nothing listens there
    )
    moment = at(DEADLINE)
    for minutes in (0, 1, 6, 21, 81, 261, 500):
        travel(moment + dt.timedelta(minutes=minutes))
        run_scan()
    post = ChatPost.objects.get()
    assert post.state == DeliveryState.FAILED and post.attempts == chat.MAX_ATTEMPTS
    assert len(mail.outbox) == 2


def test_no_post_when_nothing_is_overdue(travel, source, township_a_unit, county, robot):
    source.add(unit=township_a_unit, deadline=DEADLINE + DAY)
    channel(county, robot, ChatKind.WECOM)
    travel(at(DEADLINE))
    assert run_scan().chat_posts == 0
    assert robot.requests == []


def test_a_long_summary_is_cut_to_the_robots_limit(travel, source, township_a_unit, county, robot):
    for i in range(30):
        source.add(unit=township_a_unit, label="很长的任务名称" * 12 + str(i), deadline=DEADLINE - DAY)
    channel(county, robot, ChatKind.WECOM)
    travel(at(DEADLINE))
    run_scan()
    content = robot.requests[0]["json"]["markdown"]["content"]
    assert len(content.encode()) <= 4096 and "其余见系统（共30项）" in content


@pytest.fixture
def admin_client(client, county):
    admin = UserFactory(org_unit=county, role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_the_admin_stores_the_webhook_and_secret_encrypted(admin_client, county):
    url = "https://oapi.dingtalk.com/robot/send?access_token=abcdef123456"
    response = admin_client.post(
        reverse("admin:shuangyong_chatchannel_add"),
        {"office_unit": county.pk, "kind": ChatKind.DINGTALK, "name": "双拥办工作群", "webhook_url": url,
         "secret": SECRET, "enabled": "on"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = ChatChannel.objects.get()
    assert url not in saved.webhook_encrypted and SECRET not in saved.secret_encrypted  # not in clear
    assert decrypt(saved.webhook_encrypted) == url and decrypt(saved.secret_encrypted) == SECRET
    page = admin_client.get(reverse("admin:shuangyong_chatchannel_change", args=[saved.pk])).content.decode()
    assert "abcdef123456" not in page and SECRET not in page  # never shown again

    # Saving without typing them again keeps both.
    admin_client.post(
        reverse("admin:shuangyong_chatchannel_change", args=[saved.pk]),
        {"office_unit": county.pk, "kind": ChatKind.DINGTALK, "name": "改名", "enabled": "on"},
    )
    saved.refresh_from_db()
    assert (
        saved.name == "改名" and decrypt(saved.webhook_encrypted) == url and decrypt(saved.secret_encrypted) == SECRET
    )


def test_the_admin_needs_a_webhook_address(admin_client, county):
    response = admin_client.post(
        reverse("admin:shuangyong_chatchannel_add"),
        {"office_unit": county.pk, "kind": ChatKind.WECOM, "name": "群", "enabled": "on"},
    )
    assert response.status_code == 200 and "请填写机器人的 Webhook 地址" in response.content.decode()
    assert not ChatChannel.objects.exists()


def test_the_key_can_be_a_setting(settings):
    from cryptography.fernet import Fernet

    token = encrypt("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x")
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    with pytest.raises(Exception):  # noqa: B017 — another key cannot read it
        decrypt(token)
    assert decrypt(encrypt("同一把钥匙")) == "同一把钥匙"


def test_an_unreadable_channel_fails_alone_and_the_others_are_delivered(travel, overdue, county, robot):
    unreadable = ChatChannel.objects.create(
        office_unit=county, kind=ChatKind.WECOM, name="旧密钥的群", webhook_encrypted="gAAAA-not-a-fernet-token"
    )  # e.g. typed in before FIELD_ENCRYPTION_KEY was changed
    good = channel(county, robot, ChatKind.WECOM)
    travel(at(DEADLINE))
    run_scan()
    assert len(robot.requests) == 1  # the good robot got its post on the first delivery
    assert ChatPost.objects.get(channel=good).state == DeliveryState.SENT
    bad = ChatPost.objects.get(channel=unreadable)
    assert bad.state == DeliveryState.PENDING and bad.attempts == 1
    assert "无法解密机器人地址或密钥，请在管理后台重新填写" in bad.last_error
    assert bad.next_attempt_at == at(DEADLINE) + dt.timedelta(minutes=chat.BACKOFF_MINUTES[0])  # normal backoff

    for minutes in (1, 6, 21, 81, 261, 500):
        travel(at(DEADLINE) + dt.timedelta(minutes=minutes))
        run_scan()
    bad.refresh_from_db()
    assert bad.state == DeliveryState.FAILED and bad.attempts == chat.MAX_ATTEMPTS
    assert len(robot.requests) == 1


HOSTILE_WEBHOOKS = [
    ("ftp://example.com/webhook", "只能以 https:// 或 http:// 开头"),
    ("http://169.254.169.254/latest/meta-data/", "链路本地地址"),
    ("http://[fe80::1]/webhook", "链路本地地址"),
    ("http://localhost/webhook", "本机地址"),
    ("http://127.0.0.1:6379/", "本机地址"),
    ("http://[::1]/webhook", "本机地址"),
    ("http://[::ffff:127.0.0.1]/webhook", "本机地址"),
    ("http://0.0.0.0/webhook", "未指定的地址"),
    ("http://224.0.0.1/webhook", "组播地址"),
    ("http://100.100.100.200/latest/meta-data/", "云服务内部地址"),  # Alibaba Cloud's metadata
    ("http://192.0.0.192/latest/", "云服务内部地址"),  # Oracle Cloud's metadata
    ("http://[64:ff9b::a9fe:a9fe]/webhook", "链路本地地址"),  # NAT64 form of 169.254.169.254
    ("http://[::127.0.0.1]/webhook", "本机地址"),  # IPv4-compatible IPv6
    ("http://198.18.0.1/webhook", "保留地址"),
]


@pytest.mark.parametrize(("url", "message"), HOSTILE_WEBHOOKS)
def test_the_admin_refuses_a_webhook_on_this_machine_or_the_metadata_service(
    admin_client, county, settings, url, message
):
    settings.CHAT_WEBHOOK_ALLOW_LOOPBACK = False
    response = admin_client.post(
        reverse("admin:shuangyong_chatchannel_add"),
        {"office_unit": county.pk, "kind": ChatKind.WECOM, "name": "群", "webhook_url": url, "enabled": "on"},
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["webhook_url"] and message in errors["webhook_url"][0]
    assert not ChatChannel.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa",
        "http://10.1.2.3/cgi-bin/webhook/send?key=abc",  # 政务微信 on a government intranet
    ],
)
def test_the_admin_accepts_public_and_intranet_webhooks(admin_client, county, settings, url):
    settings.CHAT_WEBHOOK_ALLOW_LOOPBACK = False
    response = admin_client.post(
        reverse("admin:shuangyong_chatchannel_add"),
        {"office_unit": county.pk, "kind": ChatKind.WECOM, "name": "群", "webhook_url": url, "enabled": "on"},
    )
    assert response.status_code == 302
    assert decrypt(ChatChannel.objects.get().webhook_encrypted) == url


def test_a_stored_webhook_now_forbidden_is_not_posted_to(travel, overdue, county, robot, settings):
    settings.CHAT_WEBHOOK_ALLOW_LOOPBACK = False
    channel(county, robot, ChatKind.WECOM)  # saved before the rule, on 127.0.0.1
    travel(at(DEADLINE))
    run_scan()
    assert robot.requests == []
    post = ChatPost.objects.get()
    assert post.state == DeliveryState.PENDING and "机器人地址不能是本机地址" in post.last_error


def test_the_metadata_service_is_never_posted_to(travel, overdue, county):
    ChatChannel.objects.create(
        office_unit=county,
        kind=ChatKind.WECOM,
        name="元数据",
        webhook_encrypted=encrypt("http://169.254.169.254/latest/meta-data/"),
    )
    travel(at(DEADLINE))
    run_scan()
    assert "链路本地地址" in ChatPost.objects.get().last_error


def test_a_redirect_from_the_robot_is_not_followed(travel, overdue, county, robot):
    robot.statuses = [302]
    channel(county, robot, ChatKind.WECOM)
    travel(at(DEADLINE))
    run_scan()
    assert [r["path"] for r in robot.requests] == ["/cgi-bin/webhook/send?key=abc"]  # not /elsewhere
    post = ChatPost.objects.get()
    assert post.state == DeliveryState.PENDING and "机器人地址返回了跳转，未发送" in post.last_error


@pytest.mark.parametrize(("kind", "field"), [(ChatKind.WECOM, "content"), (ChatKind.DINGTALK, "text")])
def test_titles_and_unit_names_cannot_change_the_markdown(travel, source, township_a_unit, county, robot, kind, field):
    township_a_unit.name = "东城街道\n# <@all> **置顶**"
    township_a_unit.save()
    source.add(unit=township_a_unit, label="[点我](http://evil.example) @all <at>", deadline=DEADLINE - DAY)
    channel(county, robot, kind)
    travel(at(DEADLINE))
    run_scan()
    text = robot.requests[0]["json"]["markdown"][field]
    assert "](http://evil.example" not in text and "[点我]" not in text
    assert "@all" not in text and "<at>" not in text and "<@" not in text
    assert "\n#" not in text.replace("\n###", "") and "**置顶**" not in text
    assert "［点我］（http://evil.example） ＠all ＜at＞" in text  # still readable
    assert "(http://127.0.0.1:8000/tasks/" in text  # our own link stays a link


@pytest.mark.parametrize("kind", list(ChatKind))
def test_a_summary_of_200_units_fits_the_robots_limit(county, kind):
    from shuangyong.reminders import OverdueSummary, SummaryLine

    limit = chat.CONTENT_LIMIT_BYTES[kind]
    long_name = "某某市某某区某某街道退役军人服务站（双拥工作联络点）"  # 81 bytes
    summary = OverdueSummary(
        unit=county,
        today=DEADLINE,
        escalate_after_days=3,
        total=sum(range(1, 201)),
        by_unit=[(f"{long_name}{i}", i) for i in range(1, 201)],  # the fewest first
        lines=[
            SummaryLine("很长的任务名称" * 12 + str(i), f"{long_name}{i}", DEADLINE - 9 * DAY, f"/tasks/{i}/", True)
            for i in range(100)
        ],
    )
    _, text = chat.summary_markdown(summary, limit_bytes=limit)
    assert len(text.encode()) <= limit
    [units] = [line for line in text.splitlines() if line.startswith("按单位：")]
    assert units.startswith(f"按单位：{long_name}200 200项；{long_name}199 199项；")  # the most overdue first
    assert units.endswith("等200个单位")
    assert f"{long_name}1 1项" not in units
    assert text.count("\n- [") >= 3  # the items still have room
    assert f"……其余见系统（共{summary.total}项）" in text


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa",
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?…",
        ),
        ("https://oapi.dingtalk.com/robot/send?access_token=abcdef123456", "https://oapi.dingtalk.com/robot/send?…"),
        ("http://10.1.2.3/send?key=0123456789abcdefghijklmnop", "http://10.1.2.3/send?…"),  # 40 characters in
        ("http://10.1.2.3:8080/s?key=k~1", "http://10.1.2.3:8080/s?…"),  # short: half used to show
        ("https://robot:pa55word@[fd00::1]/hook", "https://[fd00::1]/hook?…"),
    ],
)
def test_the_admin_shows_the_saved_webhook_without_its_key(admin_client, county, url, shown):
    saved = ChatChannel.objects.create(
        office_unit=county, kind=ChatKind.WECOM, name="双拥办工作群", webhook_encrypted=encrypt(url)
    )
    secret = url.partition("=")[2] or "pa55word"  # the key, the token or the password
    for page in (
        reverse("admin:shuangyong_chatchannel_changelist"),
        reverse("admin:shuangyong_chatchannel_change", args=[saved.pk]),
    ):
        html = admin_client.get(page).content.decode()
        # the page's random CSRF tokens could hold a short key's letters by chance
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
        assert shown in html
        assert secret not in html and secret[:8] not in html


def test_a_name_rebound_to_a_forbidden_address_after_the_check_gets_nothing(robot, county, settings, monkeypatch):
    """DNS rebinding: the name resolves to a public address when it is checked, to the server
    itself when the request connects. The address connected to is checked too: nothing is sent."""
    import socket

    settings.CHAT_WEBHOOK_ALLOW_LOOPBACK = False
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    port = int(robot.url.rsplit(":", 1)[1])
    real_getaddrinfo = socket.getaddrinfo
    answers = iter(["93.184.216.34", "127.0.0.1"])  # first the check, then the connection

    def rebinding(host, *args, **kwargs):
        if host == "robot.example.test":
            address = next(answers, "127.0.0.1")
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    saved = ChatChannel.objects.create(
        office_unit=county,
        kind=ChatKind.WECOM,
        name="双拥办工作群",
        webhook_encrypted=encrypt(f"http://robot.example.test:{port}/cgi-bin/webhook/send?key=abc"),
    )
    with pytest.raises(chat.ChatError, match="本机地址"):
        chat.post(saved, title="每日逾期汇总", text="测试")
    assert robot.requests == []


def test_a_robot_at_an_allowed_address_still_gets_its_post_through_the_checked_connection(robot, county):
    saved = channel(county, robot, ChatKind.WECOM)  # 127.0.0.1 is allowed in the tests' settings
    chat.post(saved, title="每日逾期汇总", text="测试")
    assert len(robot.requests) == 1
