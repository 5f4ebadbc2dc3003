"""Load test of 双拥通: township staff entering visit records, the office browsing its boards,
leaders opening the dashboard and downloading the county workbook; at province scope, the
leaders of the province and of each city (``UpperLeader``) reading their boards and a county's
return from above (no personal data: the record list is not theirs).

Needs the targets file written by ``targets.py`` (``LOAD_TARGETS``, default bench/out/targets.json)
and the password of the generated accounts (``LOAD_PASSWORD``). Run it through ``run.sh``.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

import gevent
from locust import HttpUser, between, task

_ALL_TARGETS: dict[str, Any] = json.loads(
    Path(os.environ.get("LOAD_TARGETS", Path(__file__).resolve().parents[1] / "out" / "targets.json")).read_text()
)
TARGETS: list[dict[str, Any]] = _ALL_TARGETS["counties"]
UPPER: list[dict[str, Any]] = _ALL_TARGETS.get("upper", [])
PASSWORD = os.environ.get("LOAD_PASSWORD", "Shuangyong@2026")
THINK_TIME = (0.5, 2.0)  # seconds between a user's pages
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Each user logs in once (PBKDF2, ≈1.4 s of CPU by design); 20 logins at the start keep both
# cores busy for 15 s or more, longer than the ramp-up, so "statistics reset once all users
# are spawned" still counted pages served during the login storm. So every user, once logged
# in, waits for the last login; the statistics are reset then and every page is measured in the
# steady state, the first (uncached) download of each leader's county workbook included.
_logged_in = 0


def _count_login(environment: Any) -> None:
    global _logged_in
    _logged_in += 1
    runner = environment.runner
    if runner is not None and _logged_in == runner.target_user_count:
        runner.stats.reset_all()
        print(f"{_logged_in} users logged in: statistics reset", flush=True)
    while runner is not None and _logged_in < runner.target_user_count:
        gevent.sleep(0.1)
    # Released together, 20 users would all click in the same instant; each starts after a
    # think time like the one between its pages instead.
    gevent.sleep(random.uniform(*THINK_TIME))


class PortalUser(HttpUser):
    abstract = True
    wait_time = between(*THINK_TIME)

    def login(self, username: str) -> None:
        self.client.get("/accounts/login/", name="login page")
        response = self.client.post(
            "/accounts/login/",
            {
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            name="login",
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"login of {username} failed: {response.status_code}")
        _count_login(self.environment)

    def page(self, url: str, name: str, *, content_type: str = "text/html") -> None:
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
            elif not response.headers.get("Content-Type", "").startswith(content_type):
                response.failure(f"content type {response.headers.get('Content-Type')}")


class TownshipStaff(PortalUser):
    """Enters visit records into the open campaign's return and keeps the ledger."""

    weight = 6

    def on_start(self) -> None:
        self.county = random.choice(TARGETS)
        self.township = random.choice(self.county["townships"])
        self.login(self.township["username"])
        self.return_url = f"/visits/campaigns/{self.county['open_campaign']}/units/{self.township['unit']}/"

    @task(4)
    def my_return(self) -> None:
        self.page(self.return_url, "return page")

    @task(3)
    def enter_visit_record(self) -> None:
        if not self.township["editable"]:
            self.page(self.return_url, "return page")
            return
        form_url = self.return_url + "records/new/"
        self.page(form_url, "record form")
        with self.client.post(
            form_url,
            {
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
                "version": "",
                "visit_date": self.county["visit_date"],
                "table_row": random.choice(["entitled", "hardship", "troops", "border"]),
                "way": "home_visit",
                "lead_leader": "王副镇长",
                "people_visited": "3",
                "money_amount": "600",
                "money_recipients": "3",
                "goods_spending": "300",
                "goods_count": "3",
                "goods_recipients": "3",
                "notes": "压测录入",
                "d-TOTAL_FORMS": "0",
                "d-INITIAL_FORMS": "0",
            },
            name="record save",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"record not saved: {response.status_code}")

    @task(2)
    def ledger(self) -> None:
        self.page("/visits/ledger/", "ledger list")
        if self.township["beneficiaries"]:
            self.page(f"/visits/ledger/{random.choice(self.township['beneficiaries'])}/", "ledger person")

    @task(1)
    def record_detail(self) -> None:
        if self.township["records"]:
            self.page(f"/visits/records/{random.choice(self.township['records'])}/", "record detail")

    @task(1)
    def my_tasks(self) -> None:
        self.page("/tasks/mine/", "my tasks")


class OfficeStaff(PortalUser):
    """Browses the boards: returns of the campaign, tasks, the 双清单."""

    weight = 3

    def on_start(self) -> None:
        self.county = random.choice(TARGETS)
        self.login(self.county["office"])

    @task(3)
    def returns_board(self) -> None:
        self.page(f"/visits/campaigns/{self.county['open_campaign']}/", "campaign board")

    @task(2)
    def task_board(self) -> None:
        self.page("/tasks/", "task board")
        if self.county["tasks"]:
            self.page(f"/tasks/{random.choice(self.county['tasks'])}/", "task detail")

    @task(2)
    def dual_list(self) -> None:
        self.page("/tasks/dual/", "dual list")
        if self.county["dual_items"]:
            self.page(f"/tasks/dual/{random.choice(self.county['dual_items'])}/", "dual item")

    @task(1)
    def home(self) -> None:
        self.page("/", "home")

    @task(1)
    def units(self) -> None:
        self.page("/units/", "unit list")


class Leader(PortalUser):
    """Opens the dashboard and downloads the county workbook."""

    weight = 1

    def on_start(self) -> None:
        self.county = random.choice(TARGETS)
        self.login(self.county["leader"])

    @task(3)
    def dashboard(self) -> None:
        self.page("/reports/dashboard/", "dashboard")

    @task(1)
    def county_workbook(self) -> None:
        url = f"/reports/campaigns/{self.county['closed_campaign']}/county-accepted.xlsx"
        self.page(url, "county workbook", content_type=XLSX)

    @task(1)
    def home(self) -> None:
        self.page("/", "home")


class UpperLeader(PortalUser):
    """A leader of the province or of a city (province scope only): the dashboard, the task board,
    the units, the campaigns, its own campaign's board when it runs one, and a county township's
    return as seen from above (state and totals; no names). Weight 0 unless there are such units
    in the targets (county scope), so the county-scope mix is unchanged."""

    weight = 1 if UPPER else 0

    def on_start(self) -> None:
        self.office = random.choice(UPPER)
        self.login(self.office["leader"])

    @task(3)
    def dashboard(self) -> None:
        self.page("/reports/dashboard/", "upper: dashboard")

    @task(2)
    def boards(self) -> None:
        self.page("/tasks/", "upper: task board")
        self.page("/visits/campaigns/", "upper: campaign list")

    @task(2)
    def own_campaign(self) -> None:
        if self.office["own_campaign"]:
            self.page(f"/visits/campaigns/{self.office['own_campaign']}/", "upper: campaign board")

    @task(1)
    def county_return(self) -> None:
        if self.office["county_campaign"] and self.office["county_unit"]:
            url = f"/visits/campaigns/{self.office['county_campaign']}/units/{self.office['county_unit']}/"
            self.page(url, "upper: county return")

    @task(1)
    def units(self) -> None:
        self.page("/units/", "upper: unit list")
