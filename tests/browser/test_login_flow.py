import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_township_staff_logs_in_sees_home_and_logs_out(page, live_server, login, township_a):
    login(page, township_a)
    assert page.locator("[data-testid=home-title]").inner_text().startswith("巴川街道")
    assert page.locator("[data-testid=current-unit]").first.inner_text() == "巴川街道"
    # Bootstrap came from our own static files: the navbar is styled (not the default block).
    assert page.evaluate("getComputedStyle(document.querySelector('nav.navbar')).display") == "flex"
    page.click("text=退出")
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url


def test_wrong_password_shows_chinese_error(page, live_server, township_a):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", township_a.username)
    page.fill("#id_password", "wrong-password-1")
    page.click("button[type=submit]")
    assert "正确的用户名和密码" in page.locator(".alert-danger").inner_text()
