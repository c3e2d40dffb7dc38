"""Authenticator apps (TOTP): enrolment from the QR code, sign-in with a code, replay, step-up for a
two-factor CAS service, removal. Codes are computed by pyotp from what the page shows; the QR code is
decoded by zbarimg."""
import base64
import json
import re
import subprocess
import time
from urllib.parse import quote

import pyotp
import pytest
import requests

from conftest import STRONG_PASSWORD, Appliance, Browser, create_account, sign_in

VAULT = "https://vault.example.test/"
SERVICES = """
[[service]]
name = "vault"
protocol = "cas"
match = "https://vault.example.test/"
min_level = "two-factor"
attributes = ["email", "authenticationLevel", "authenticationMethod"]

[[service]]
name = "wiki"
protocol = "cas"
match = "https://wiki.example.test/"
"""


@pytest.fixture(scope="module")
def totp_app(tmp_path_factory):
    appliance = Appliance(tmp_path_factory.mktemp("totp"), extra_config=SERVICES).start()
    yield appliance
    appliance.stop()


def base_step():
    """The current 30-second step, away from a step boundary so that the codes below stay in the window."""
    if time.time() % 30 > 27:
        time.sleep(30 - time.time() % 30 + 0.5)
    return int(time.time() // 30)


def code_at(secret, step):
    return pyotp.TOTP(secret).at(step * 30)


def enrol(app, browser, email_address, tmp_path):
    """Scans the QR code, checks it against the key shown, confirms with the previous step's code; returns (secret, step)."""
    page = browser.get("/account/authenticator")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    secret = re.search(r'<code class="secret" id="secret">([A-Z2-7 ]+)</code>', page.text).group(1).replace(" ", "")
    assert len(secret) == 32  # 160 bits
    png = browser.get("/account/authenticator/qr.png")
    assert png.status_code == 200 and png.headers["Content-Type"] == "image/png" and png.headers["Cache-Control"] == "no-store"
    (tmp_path / "qr.png").write_bytes(png.content)
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(tmp_path / "qr.png")], capture_output=True, text=True, check=True)
    assert decoded.stdout.strip() == (f"otpauth://totp/Login%20Appliance:{quote(email_address, safe='@')}?secret={secret}"
                                      "&issuer=Login%20Appliance&algorithm=SHA1&digits=6&period=30")
    svg = browser.get("/account/authenticator/qr.svg")
    assert svg.headers["Content-Type"] == "image/svg+xml" and svg.text.startswith("<svg")
    step = base_step()
    done = browser.post("/account/authenticator", data={"otp": code_at(secret, step - 1), "csrf": browser.csrf(page.text)})
    assert done.status_code == 200 and "Your authenticator app has been added" in done.text, done.text
    app.wait_mail(email_address, "authenticator app was added")
    return secret, step


def sign_in_with_code(browser, email_address, code, **extra):
    browser.form("/login", {"email": email_address, **extra})
    page = browser.get("/login" + (f"?service={quote(extra['service'], safe='')}" if "service" in extra else ""))
    assert 'value="totp"' in page.text and 'name="otp"' in page.text
    return browser.post("/login", data={"email": email_address, "password": STRONG_PASSWORD, "method": "totp", "otp": code,
                                        "csrf": browser.csrf(page.text), **extra}, allow_redirects=False)


def test_enrolment_then_sign_in_with_a_code_and_a_replay_is_refused(totp_app, tmp_path):
    browser = Browser(totp_app)
    email_address = create_account(totp_app, browser)
    secret, step = enrol(totp_app, browser, email_address, tmp_path)
    for path in ["/account/authenticator/qr.png", "/account/authenticator/qr.svg"]:
        assert requests.get(totp_app.base_url + path).status_code == 404  # only for the signed-in owner

    fresh = Browser(totp_app)
    wrong = sign_in_with_code(fresh, email_address, code_at(secret, step + 5))
    assert wrong.status_code == 401 and "This code is not right" in wrong.text
    ok = sign_in_with_code(fresh, email_address, code_at(secret, step))
    assert ok.status_code == 303
    assert "Ada" in fresh.get("/account").text
    replay = sign_in_with_code(Browser(totp_app), email_address, code_at(secret, step))
    assert replay.status_code == 401 and "already been used" in replay.text

    rows = totp_app.query("SELECT status, sealed_secret, last_step FROM authenticator")
    mine = [r for r in rows if r["last_step"] == step]
    assert len(mine) == 1 and mine[0]["status"] == "active"
    for suffix in ["", "-wal"]:
        path = totp_app.db_path.with_name(totp_app.db_path.name + suffix)
        if path.exists():
            data = path.read_bytes()
            assert secret.encode() not in data and base64.b32decode(secret) not in data
    events = [r["event"] for r in totp_app.query("SELECT event FROM audit_log WHERE email = ?", email_address)]
    assert "factor_added" in events and events.count("sign_in_failed") == 2


def reverify(browser, email_address, code, expect_next):
    """Follows a factor page's redirect to the re-verification and passes it with the password and a code."""
    page = browser.get(expect_next, allow_redirects=False)
    assert page.status_code == 303 and page.headers["Location"] == f"/login?reauth=1&next={quote(expect_next, safe='')}"
    form = browser.get(page.headers["Location"])
    # The account's strongest method only, and every credential again.
    assert 'value="totp"' in form.text and 'value="password"' not in form.text and 'name="password"' in form.text
    assert 'name="reauth"' in form.text
    without_password = browser.post("/login", data={"email": email_address, "method": "totp", "otp": code, "reauth": "1",
                                                     "next": expect_next, "csrf": browser.csrf(form.text)}, allow_redirects=False)
    assert without_password.status_code == 400 and "Enter your password" in without_password.text
    done = browser.post("/login", data={"email": email_address, "password": STRONG_PASSWORD, "method": "totp", "otp": code,
                                        "reauth": "1", "next": expect_next, "csrf": browser.csrf(form.text)}, allow_redirects=False)
    assert done.status_code == 303 and done.headers["Location"] == expect_next, done.text
    return browser.get(expect_next, allow_redirects=False)


def test_a_factor_change_needs_a_fresh_verification_with_the_strongest_method(totp_app, tmp_path):
    browser = Browser(totp_app)
    email_address = create_account(totp_app, browser)
    secret, step = enrol(totp_app, browser, email_address, tmp_path)
    # The session proved the password only; the account now has an app, so changing it needs the app too.
    for path in ["/account/authenticator"]:
        assert browser.get(path, allow_redirects=False).status_code == 303
    forged = browser.post("/account/authenticator/remove", data={"csrf": browser.csrf(browser.get("/account").text)},
                          allow_redirects=False)
    assert forged.status_code == 303 and "reauth=1" in forged.headers["Location"]
    assert totp_app.query("SELECT COUNT(*) AS n FROM authenticator a JOIN account u ON u.id = a.account_id "
                          "WHERE u.email = ? AND a.status = 'active'", email_address)[0]["n"] == 1
    page = reverify(browser, email_address, code_at(secret, step), "/account/authenticator")
    assert page.status_code == 200 and "authenticator/remove" in page.text
    events = [r["event"] for r in totp_app.query("SELECT event FROM audit_log WHERE email = ?", email_address)]
    assert "step_up" in events


def test_two_factor_service_refuses_a_password_session_and_accepts_after_the_code(totp_app, tmp_path):
    browser = Browser(totp_app)
    email_address = create_account(totp_app, browser)
    secret, step = enrol(totp_app, browser, email_address, tmp_path)
    browser.cookies.clear()
    assert sign_in(browser, email_address).status_code == 200  # password only

    login = f"{totp_app.base_url}/login?service={quote(VAULT, safe='')}"
    step_up = browser.get(login, allow_redirects=False)
    assert step_up.status_code == 403 and "Location" not in step_up.headers
    assert 'value="totp"' in step_up.text and 'value="password"' not in step_up.text
    # The session is minutes old: the step-up asks for the code alone.
    assert 'name="password"' not in step_up.text and "your password is not needed again" in step_up.text
    password_only = browser.post("/login", data={"email": email_address, "password": STRONG_PASSWORD, "method": "password",
                                                 "service": VAULT, "csrf": browser.csrf(step_up.text)}, allow_redirects=False)
    assert "Location" not in password_only.headers

    done = browser.post("/login", data={"email": email_address, "method": "totp", "otp": code_at(secret, step), "service": VAULT,
                                        "csrf": browser.csrf(step_up.text)}, allow_redirects=False)
    assert done.status_code == 303 and done.headers["Location"].startswith(VAULT + "?ticket=ST-")
    ticket = done.headers["Location"].split("ticket=", 1)[1]
    answer = requests.get(totp_app.base_url + "/p3/serviceValidate", params={"service": VAULT, "ticket": ticket, "format": "JSON"})
    attributes = json.loads(answer.text)["serviceResponse"]["authenticationSuccess"]["attributes"]
    assert attributes["authenticationLevel"] == "two-factor" and attributes["authenticationMethod"] == "password,totp"
    # The two-factor session now gets tickets without asking again.
    again = browser.get(login, allow_redirects=False)
    assert again.status_code == 303 and "ticket=ST-" in again.headers["Location"]
    # renew=true asks for every credential again, however recent the session.
    renew = browser.get(login + "&renew=true", allow_redirects=False)
    assert renew.status_code == 200 and 'name="password"' in renew.text and 'name="renew" value="true"' in renew.text
    no_password = browser.post("/login", data={"email": email_address, "method": "totp", "otp": code_at(secret, step + 1),
                                               "service": VAULT, "renew": "true", "csrf": browser.csrf(renew.text)},
                               allow_redirects=False)
    assert no_password.status_code == 400 and "Location" not in no_password.headers


def test_removal_after_a_fresh_verification_is_mailed(totp_app, tmp_path):
    browser = Browser(totp_app)
    email_address = create_account(totp_app, browser)
    secret, step = enrol(totp_app, browser, email_address, tmp_path)
    page = reverify(browser, email_address, code_at(secret, step), "/account/authenticator")
    removed = browser.post("/account/authenticator/remove", data={"csrf": browser.csrf(page.text)})
    assert removed.status_code == 200 and "Your authenticator app has been removed" in removed.text
    totp_app.wait_mail(email_address, "authenticator app was removed")
    stranger = Browser(totp_app)
    stranger.form("/login", {"email": email_address})
    password_step = stranger.get("/login").text
    assert 'value="password"' in password_step and 'value="totp"' not in password_step
    events = [r["event"] for r in totp_app.query("SELECT event FROM audit_log WHERE email = ?", email_address)]
    assert "factor_removed" in events


def test_accept_strengths_limits_the_methods_a_service_takes(totp_app, tmp_path):
    browser = Browser(totp_app)
    email_address = create_account(totp_app, browser)
    secret, step = enrol(totp_app, browser, email_address, tmp_path)
    wiki = "https://wiki.example.test/"
    # A password-level service that asks, for this sign-in, for the authenticator app only.
    login = f"{totp_app.base_url}/login?service={quote(wiki, safe='')}&acceptStrengths=PASSWORD_TOTP"
    page = browser.get(login, allow_redirects=False)
    assert page.status_code == 403 and 'value="totp"' in page.text and 'value="password"' not in page.text
    assert 'name="acceptStrengths" value="totp"' in page.text
    done = browser.post("/login", data={"email": email_address, "method": "totp", "otp": code_at(secret, step), "service": wiki,
                                        "acceptStrengths": "totp", "csrf": browser.csrf(page.text)}, allow_redirects=False)
    assert done.status_code == 303 and done.headers["Location"].startswith(wiki + "?ticket=ST-"), done.text
    # A method the account does not have: nothing to offer, and no ticket.
    none = browser.get(f"{totp_app.base_url}/login?service={quote(wiki, safe='')}&acceptStrengths=sms", allow_redirects=False)
    assert none.status_code == 403 and "Location" not in none.headers and 'name="method"' not in none.text


def test_emergency_removal_takes_the_password_alone_and_removes_every_factor(totp_app, tmp_path):
    browser = Browser(totp_app)
    email_address = create_account(totp_app, browser)
    secret, step = enrol(totp_app, browser, email_address, tmp_path)
    elsewhere = Browser(totp_app)
    assert sign_in_with_code(elsewhere, email_address, code_at(secret, step)).status_code == 303
    assert elsewhere.get("/account", allow_redirects=False).status_code == 200

    # The session that asks proved the password only: that is enough here, on purpose.
    page = browser.get("/account/panic")
    assert page.status_code == 200 and 'name="password"' in page.text
    wrong = browser.post("/account/panic", data={"password": "not-my-password", "csrf": browser.csrf(page.text)})
    assert wrong.status_code == 400 and "Your current password is not right" in wrong.text
    assert totp_app.query("SELECT COUNT(*) AS n FROM authenticator a JOIN account u ON u.id = a.account_id WHERE u.email = ?",
                          email_address)[0]["n"] == 1
    done = browser.post("/account/panic", data={"password": STRONG_PASSWORD, "csrf": browser.csrf(page.text)})
    assert done.status_code == 200 and "All your second factors have been removed" in done.text
    assert totp_app.query("SELECT COUNT(*) AS n FROM authenticator a JOIN account u ON u.id = a.account_id WHERE u.email = ?",
                          email_address)[0]["n"] == 0
    assert elsewhere.get("/account", allow_redirects=False).status_code == 303  # signed out everywhere else
    assert browser.get("/account", allow_redirects=False).status_code == 200
    totp_app.wait_mail(email_address, "All second factors were removed")
    events = {r["event"]: r["detail"] for r in totp_app.query("SELECT event, detail FROM audit_log WHERE email = ?", email_address)}
    assert events["factors_removed_all"] == "methods=totp"
    # Adding a factor again now needs only the password session (the account's strongest method is the password).
    assert browser.get("/account/authenticator", allow_redirects=False).status_code == 200
