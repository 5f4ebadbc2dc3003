"""The offices' group chats: 企业微信 / 政务微信 and 钉钉 group robots get the office's daily
overdue summary.

Each enabled ``ChatChannel`` (configured per office unit in the admin, webhook address and
secret encrypted) gets at most one ``ChatPost`` a day (unique per channel and day), written
when the digests are; ``deliver_posts`` sends what is due with a short timeout, and a post that
fails (HTTP error, timeout, an ``errcode`` other than 0) is tried again later with a growing
wait (``BACKOFF_MINUTES``) and given up after the last. E-mail is delivered before any post is
tried, and a failing robot raises nothing out of here: a group chat never holds up e-mail.

Message formats (the robots' documented webhook JSON):
- 企业微信 / 政务微信: ``{"msgtype": "markdown", "markdown": {"content": "..."}}``, at most
  4096 bytes of content;
- 钉钉: ``{"msgtype": "markdown", "markdown": {"title": "...", "text": "..."}}``; with a
  signing secret, the URL gets ``&timestamp=<ms>&sign=<urlencoded base64 HmacSHA256 of
  "timestamp\\nsecret" keyed by the secret>``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from shuangyong.crypto import InvalidToken, decrypt
from shuangyong.models import ChatChannel, ChatKind, ChatPost, DeliveryState, ReminderPolicy
from shuangyong.notifications import absolute_url

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5
BACKOFF_MINUTES = (1, 5, 15, 60, 180)  # wait after the 1st, 2nd … failed attempt
MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1
LEASE_MINUTES = 5  # a post claimed by a worker that died is tried again after this
CONTENT_LIMIT_BYTES = {ChatKind.WECOM: 4000, ChatKind.DINGTALK: 18000}


class ChatError(Exception):
    pass


# --- where a robot may be ---

# Not reachable from the robot's side of the world, or the server's own services: loopback (a
# Redis on 127.0.0.1:6379), link-local (169.254.169.254 is the cloud's metadata service, with
# its credentials), "this host" and multicast. Private RFC 1918 addresses (10/8, 172.16/12,
# 192.168/16) are allowed on purpose: 政务微信's private deployments live on government
# intranets at such addresses.
_LOCAL_NAMES = ("localhost", "localhost.localdomain")


#: Shared address space (RFC 6598: carrier NAT, and cloud providers' internal services — Alibaba
#: Cloud's metadata service is 100.100.100.200) and the IETF protocol block (Oracle Cloud's
#: metadata service is 192.0.0.192).
_SERVICE_SPACES = (ipaddress.ip_network("100.64.0.0/10"), ipaddress.ip_network("192.0.0.0/24"))
#: IPv6 forms that carry an IPv4 address a resolver or a NAT64 gateway turns back into IPv4.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _as_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _forbidden_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if isinstance(address, ipaddress.IPv6Address):
        address = _as_ipv4(address) or address
    if address.is_loopback:
        return None if settings.CHAT_WEBHOOK_ALLOW_LOOPBACK else "本机地址"
    if address.is_link_local:
        return "链路本地地址（如 169.254.x.x 云服务器元数据）"
    if address.is_unspecified or address in ipaddress.ip_network("0.0.0.0/8"):
        return "未指定的地址"
    if address.is_multicast:
        return "组播地址"
    if isinstance(address, ipaddress.IPv4Address) and any(address in n for n in _SERVICE_SPACES):
        return "运营商或云服务内部地址（如 100.100.100.200 云服务器元数据）"
    if address.is_reserved or (address.is_private and not _intranet(address)):
        return "保留地址"
    return None


_INTRANETS = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"))


def _intranet(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """The private ranges an intranet robot may live on (RFC 1918, IPv6 unique local)."""
    return any(address in n for n in _INTRANETS if n.version == address.version)


def _literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:  # the forms the resolver also reads as IPv4: 2130706433, 127.1, 0x7f.0.0.1
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def webhook_url_problem(url: str, *, resolve: bool = False) -> str | None:
    """Why a robot may not be posted to at ``url`` (a Chinese message), or None.

    ``resolve``: also look the host name up and refuse it if it points at a forbidden address
    (at send time; the admin does not depend on the server's DNS). A name the server cannot
    resolve passes here: the request itself fails, or goes through the configured proxy."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = (parts.hostname or "").rstrip(".").lower()
        port = parts.port
    except ValueError:
        return "机器人地址格式不正确"
    if parts.scheme not in ("http", "https"):
        return "机器人地址只能以 https:// 或 http:// 开头"
    if not host:
        return "机器人地址缺少主机名"
    if host in _LOCAL_NAMES or host.endswith(".localhost"):
        return None if settings.CHAT_WEBHOOK_ALLOW_LOOPBACK else "机器人地址不能是本机地址（localhost）"
    literal = _literal_address(host)
    if literal is not None:
        addresses = [literal]
    elif resolve:
        try:
            infos = socket.getaddrinfo(host, port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM)
        except OSError:
            return None
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    else:
        return None
    for address in addresses:
        reason = _forbidden_address(address)
        if reason:
            return f"机器人地址不能是{reason}：{address}"
    return None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A robot answers; it does not send us elsewhere (a redirect could point anywhere)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _checked_connection(address: tuple[str, int], timeout: Any, source_address: Any = None) -> socket.socket:
    """Connect, then check the address actually connected to: a name that resolved to an allowed
    address when ``webhook_url_problem`` looked it up may resolve elsewhere a moment later (DNS
    rebinding); nothing is sent to a forbidden one."""
    sock = socket.create_connection(address, timeout, source_address)
    peer = str(sock.getpeername()[0]).split("%")[0]
    reason = _forbidden_address(ipaddress.ip_address(peer))
    if reason:
        sock.close()
        raise ChatError(f"机器人地址不能是{reason}：{peer}，未发送")
    return sock


class _CheckedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _checked_connection


class _CheckedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _checked_connection


def _through_proxy(req: urllib.request.Request) -> bool:
    """A proxy configured by the server's environment (an intranet's way out) is connected to
    instead of the robot: it is the administrator's, and is not checked."""
    return req.has_proxy() or getattr(req, "_tunnel_host", None) is not None


class _CheckedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(http.client.HTTPConnection if _through_proxy(req) else _CheckedHTTPConnection, req)


class _CheckedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> Any:
        connection = http.client.HTTPSConnection if _through_proxy(req) else _CheckedHTTPSConnection
        return self.do_open(connection, req, context=self._context)  # type: ignore[attr-defined]


#: Direct connections are checked where they land (_checked_connection).
_opener = urllib.request.build_opener(_NoRedirect, _CheckedHTTPHandler, _CheckedHTTPSHandler)


# --- messages ---

# Characters of a title or a unit name that would change the post's markdown (a link, bold, a
# heading, WeCom's <font>/<@userid> tags, an @ mention): replaced by their full-width forms,
# which read naturally in Chinese text and mean nothing to either robot's renderer (neither
# documents backslash escapes).
_MARKDOWN_LOOKALIKES = str.maketrans(
    {
        "[": "［",
        "]": "］",
        "(": "（",
        ")": "）",
        "*": "＊",
        "_": "＿",
        "`": "｀",
        "#": "＃",
        "<": "＜",
        ">": "＞",
        "@": "＠",
        "~": "～",
        "\\": "＼",
        "|": "｜",
    }
)


def markdown_label(text: str) -> str:
    """``text`` as inert markdown on one line."""
    return " ".join(text.split()).translate(_MARKDOWN_LOOKALIKES)


def _link_target(url: str) -> str:
    return urllib.parse.quote(url, safe=":/?#&=%+,;@!$'*~")


def summary_markdown(summary: object, *, limit_bytes: int) -> tuple[str, str]:
    """(title, markdown) of an ``OverdueSummary`` within the robot's size limit in bytes: when
    it is too long, the by-unit line keeps the units with the most overdue items ("等N个单位")
    in the room the items leave (at least a quarter of the limit), then items are cut from the
    end ("其余见系统")."""
    from shuangyong.reminders import OverdueSummary, chinese_date

    assert isinstance(summary, OverdueSummary)
    title = summary.title
    head = [f"### {markdown_label(summary.unit.name)}", f"**{title}**"]
    lines = []
    for line in summary.lines:
        days = (summary.today - line.deadline).days
        flag = "（已升级）" if line.escalated else ""
        label = markdown_label(line.label)
        name = f"[{label}]({_link_target(absolute_url(line.url))})" if line.url else label
        unit = markdown_label(line.unit_name)
        lines.append(f"- {name}｜{unit}｜时限{chinese_date(line.deadline)}｜逾期{days}天{flag}")
    by_unit = sorted(summary.by_unit, key=lambda kv: -kv[1])  # stable: ties keep their order
    units_line = _by_unit_line(by_unit, limit_bytes=limit_bytes)
    text = "\n".join([*head, *units_line, *lines])
    if _size(text) <= limit_bytes:
        return title, text
    room = max(limit_bytes // 4, limit_bytes - _size("\n".join([*head, *lines])) - 1)
    units_line = _by_unit_line(by_unit, limit_bytes=room)
    text = "\n".join([*head, *units_line, *lines])
    while _size(text) > limit_bytes and lines:
        lines.pop()
        text = "\n".join([*head, *units_line, *lines, f"……其余见系统（共{summary.total}项）"])
    if _size(text) > limit_bytes:  # only an absurdly long office name gets here
        text = text.encode()[:limit_bytes].decode(errors="ignore")
    return title, text


def _size(text: str) -> int:
    return len(text.encode())


def _by_unit_line(by_unit: list[tuple[str, int]], *, limit_bytes: int) -> list[str]:
    """["按单位：…"] within ``limit_bytes`` (units in the given order, then "等N个单位"), or []."""
    if not by_unit:
        return []
    parts = [f"{markdown_label(name)} {n}项" for name, n in by_unit]
    full = "按单位：" + "；".join(parts)
    if _size(full) <= limit_bytes:
        return [full]
    more = f"等{len(by_unit)}个单位"
    used = _size("按单位：" + more)
    kept: list[str] = []
    for part in parts:
        used += _size(part) + (_size("；") if kept else 0)
        if used > limit_bytes:
            break
        kept.append(part)
    return ["按单位：" + "；".join(kept) + more] if kept else [f"按单位：共{len(by_unit)}个单位"]


def payload(kind: str, *, title: str, text: str) -> dict[str, object]:
    if kind == ChatKind.DINGTALK:
        return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
    return {"msgtype": "markdown", "markdown": {"content": text}}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉's signature: base64(HmacSHA256(key=secret, "timestamp\\nsecret")), URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def signed_url(channel: ChatChannel) -> str:
    url = decrypt(channel.webhook_encrypted)
    secret = decrypt(channel.secret_encrypted)
    if channel.kind == ChatKind.DINGTALK and secret:
        timestamp = int(time.time() * 1000)
        separator = "&" if "?" in url else "?"
        url = f"{url}{separator}timestamp={timestamp}&sign={dingtalk_sign(secret, timestamp)}"
    return url


def post(channel: ChatChannel, *, title: str, text: str) -> None:
    """Send one message to the robot; raise ChatError unless it answers errcode 0."""
    body = json.dumps(payload(channel.kind, title=title, text=text), ensure_ascii=False).encode()
    url = signed_url(channel)
    problem = webhook_url_problem(url, resolve=True)
    if problem:
        raise ChatError(f"{problem}，未发送；请在管理后台修改")
    headers = {"Content-Type": "application/json; charset=utf-8"}
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310 (scheme checked)
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            answer = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        if 300 <= exc.code < 400:
            raise ChatError("机器人地址返回了跳转，未发送") from exc
        raise ChatError(f"HTTP {exc.code}") from exc
    except (OSError, ValueError) as exc:
        raise ChatError(str(exc) or type(exc).__name__) from exc
    if answer.get("errcode", 0) != 0:
        raise ChatError(f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}")


# --- the day's posts ---


def prepare_posts(*, today: date, policy: ReminderPolicy, policies: Any = None, now: datetime | None = None) -> int:
    """Today's summary post for every enabled channel that has not got one (nothing overdue:
    no post), by the channel's office's policy (``policies``: shuangyong.reminders.ReminderPolicies;
    without it, ``policy`` for every office); with ``now``, only once that policy's digest hour
    has come. Returns how many were written."""
    from shuangyong.reminders import daily_overdue_summary, digest_due

    done = ChatPost.objects.filter(day=today).values("channel_id")
    channels = list(ChatChannel.objects.filter(enabled=True).exclude(pk__in=done).select_related("office_unit"))
    summaries: dict[int, object] = {}
    created = 0
    for channel in channels:
        unit = channel.office_unit
        office_policy = policies.for_unit(unit) if policies is not None else policy
        if now is not None and not digest_due(office_policy, today=today, now=now):
            continue  # this office's digest hour has not come yet
        if unit.pk not in summaries:
            summaries[unit.pk] = daily_overdue_summary(unit, today=today, policy=office_policy)
        summary = summaries[unit.pk]
        if not getattr(summary, "total", 0):
            continue
        title, text = summary_markdown(summary, limit_bytes=CONTENT_LIMIT_BYTES[ChatKind(channel.kind)])
        try:
            with transaction.atomic():
                _, made = ChatPost.objects.get_or_create(
                    channel=channel, day=today, defaults={"title": title[:200], "text": text}
                )
        except IntegrityError:  # another worker wrote it a moment ago: the constraint decided
            made = False
        created += made
    return created


def deliver_posts(*, now: datetime | None = None) -> int:
    """Send the posts that are due; never raises (a robot that fails waits for its next try)."""
    now = now or timezone.now()
    try:
        return _deliver(now)
    except Exception:  # a chat must never break the scan that has just sent the e-mail
        logger.exception("群机器人消息发送出错")
        return 0


def _deliver(now: datetime) -> int:
    token = uuid.uuid4()
    due = ChatPost.objects.filter(state=DeliveryState.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    due.filter(pk__in=due.order_by("pk").values("pk")[:50]).update(
        claim_token=token, next_attempt_at=now + timedelta(minutes=LEASE_MINUTES), attempts=F("attempts") + 1
    )
    sent = 0
    for item in ChatPost.objects.filter(claim_token=token).select_related("channel").order_by("pk"):
        try:
            post(item.channel, title=item.title, text=item.text)
        except Exception as exc:  # whatever goes wrong is this post's failure, not the batch's
            _record_failure(item, exc, now=now)
            continue
        ChatPost.objects.filter(pk=item.pk).update(state=DeliveryState.SENT, sent_at=timezone.now(), last_error="")
        sent += 1
    return sent


def failure_message(exc: Exception) -> str:
    """What the admin reads in the post's 最近错误."""
    if isinstance(exc, ChatError):
        return str(exc)
    if isinstance(exc, InvalidToken):  # the key changed since the address was typed in
        return "无法解密机器人地址或密钥，请在管理后台重新填写"
    return f"发送前出错（{type(exc).__name__}）：{exc}"


def _record_failure(item: ChatPost, exc: Exception, *, now: datetime) -> None:
    if isinstance(exc, ChatError | InvalidToken):
        logger.warning("群机器人 %s 第 %d 次发送失败：%s", item.channel, item.attempts, failure_message(exc))
    else:
        logger.exception("群机器人 %s 第 %d 次发送出错", item.channel, item.attempts)
    failed = item.attempts >= MAX_ATTEMPTS
    ChatPost.objects.filter(pk=item.pk).update(
        state=DeliveryState.FAILED if failed else DeliveryState.PENDING,
        last_error=f"{timezone.localtime(now):%Y-%m-%d %H:%M} {failure_message(exc)}"[:1000],
        next_attempt_at=None if failed else now + timedelta(minutes=BACKOFF_MINUTES[item.attempts - 1]),
    )
