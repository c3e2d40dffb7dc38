"""Two-step sign-in, remembered e-mail, throttling, lock and unlock, logout."""
import re

from conftest import STRONG_PASSWORD, Browser, create_account, fresh_email, sign_in


def test_two_step_sign_in_and_session_cookie(app, browser):
    address = create_account(app, browser)
    fresh = Browser(app)
    first = fresh.form("/login", {"email": address})
    assert "Welcome" in first.text and address in first.text and "Not you?" in first.text
    assert 'name="method" value="password"' in first.text
    done = fresh.post("/login", data={"email": address, "password": STRONG_PASSWORD, "method": "password",
                                      "csrf": fresh.csrf(first.text)}, allow_redirects=False)
    assert done.status_code == 303
    cookie = done.headers["Set-Cookie"]
    sso = [c for c in done.raw.headers.getlist("Set-Cookie") if c.startswith("la_sso=")][0]
    assert "HttpOnly" in sso and "SameSite=Lax" in sso and "Max-Age" not in sso, cookie
    assert "You are signed in" in fresh.get("/login").text
    # The browser remembers the e-mail: a new visit goes straight to the password step.
    fresh.cookies.pop("la_sso")
    assert "Welcome" in fresh.get("/login").text


def test_unknown_email_leads_to_registration(app, browser):
    address = fresh_email("nobody")
    page = browser.form("/login", {"email": address})
    assert page.url.startswith(app.base_url + "/register") and address in page.text


def test_wrong_password_then_throttle_then_lock_and_unlock(app, browser):
    address = create_account(app, browser)
    attacker = Browser(app)
    statuses = []
    for _ in range(5):
        html = attacker.get("/login?change=1").text
        attacker.post("/login", data={"email": address, "csrf": attacker.csrf(html)})
        page = attacker.post("/login", data={"email": address, "password": "Wrong-password-1", "method": "password",
                                             "csrf": attacker.csrf(html)})
        statuses.append(page.status_code)
    assert statuses[:4] == [401] * 4
    throttled = sign_in(Browser(app), address)  # even the right password waits now
    assert throttled.status_code == 429 and "wait" in throttled.text
    app.wait_mail(address, "Failed sign-in attempts")
    # Lock: push the failure count to the limit the way a long attack would.
    import sqlite3
    con = sqlite3.connect(app.db_path, timeout=10)
    with con:
        con.execute("UPDATE account SET failed_sign_ins = 29, throttled_until = NULL WHERE email = ?", (address,))
    con.close()
    locked = sign_in(Browser(app), address, "Wrong-password-2")
    assert locked.status_code == 423 and "locked" in locked.text
    assert sign_in(Browser(app), address).status_code == 423
    unlock = app.link_in(app.wait_mail(address, "locked"))
    assert "unlocked" in Browser(app).get(unlock).text
    assert "You are signed in" in sign_in(Browser(app), address).text
    events = [r["event"] for r in app.query("SELECT event FROM audit_log WHERE email = ?", address)]
    assert "account_locked" in events and "account_unlocked" in events and "sign_in_failed" in events


def test_failures_from_one_address_are_throttled_across_accounts(app):
    attacker = Browser(app)
    statuses = []
    for i in range(35):
        html = attacker.get("/login?change=1").text
        target = f"victim{i}@example.org"
        statuses.append(attacker.post("/login", data={"email": target, "password": "Nope-nope-123", "method": "password",
                                                      "csrf": attacker.csrf(html)}).status_code)
    assert 429 in statuses
    assert statuses.count(401) <= 30


def test_logout_ends_the_session(app, browser):
    address = create_account(app, browser)
    assert browser.get("/account").status_code == 200
    page = browser.get("/logout")
    assert "You are logged out" in page.text
    assert browser.get("/account", allow_redirects=False).status_code == 303


def test_next_parameter_only_allows_local_paths(app, browser):
    address = create_account(app, browser)
    fresh = Browser(app)
    html = fresh.get("/login?next=//evil.example/").text
    assert 'name="next" value=""' in html or 'value="//evil' not in html
    fresh.form("/login", {"email": address})
    html = fresh.get("/login").text
    done = fresh.post("/login", data={"email": address, "password": STRONG_PASSWORD, "next": "//evil.example/x",
                                      "csrf": fresh.csrf(html)}, allow_redirects=False)
    assert done.status_code == 303 and done.headers["Location"] == "/login"
