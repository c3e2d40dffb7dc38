"""Signing in with every second factor through nginx: SMS (the code read from the SMS file transport), hardware
tokens (HOTP with resynchronisation, TOTP; codes from pyotp) and challenge-response tokens (the test's own OCRA),
replays, wrong and dead challenges, a challenge taken to another account, step-up for a two-factor CAS service
with the SMS alone, the re-verification a factor change needs, and the emergency removal of every factor."""
import base64
import hashlib
import hmac
import json
import re
import uuid
from urllib.parse import quote

import pyotp
import pytest
import requests

from conftest import STRONG_PASSWORD, Appliance, Browser, create_account, sign_in

VAULT = "https://vault.example.test/"
SERVICES = f"""
[[service]]
name = "vault"
protocol = "cas"
match = "{VAULT}"
min_level = "two-factor"
attributes = ["email", "authenticationLevel", "authenticationMethod"]
"""
SUITE = "OCRA-1:HOTP-SHA1-6:QN08"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    appliance = Appliance(tmp_path_factory.mktemp("factors"), extra_config=SERVICES).start()
    yield appliance
    appliance.stop()


def unique_number():
    return "+41791" + str(uuid.uuid4().int % 10**6).zfill(6)


def serial(tag):
    return f"{tag}-{uuid.uuid4().hex[:8]}".upper()


def sms_code(message, blocks):
    match = re.search("-".join(f"[A-Z0-9]{{{n}}}" for n in blocks), message["text"])
    assert match, message
    return match.group(0)


def add_phone(app, browser, number):
    page = browser.form("/account/phones/add", {"phone": number})
    assert page.url.endswith("/account/phones/confirm"), page.text
    first, second = sms_code(app.wait_sms(number), (4, 4)).split("-")
    done = browser.post("/account/phones/confirm", data={"otp_1": first, "otp_2": second, "csrf": browser.csrf(page.text)})
    assert "Your mobile phone number was added" in done.text, done.text


def account_with_phone(app):
    browser = Browser(app)
    email_address = create_account(app, browser)
    number = unique_number()
    add_phone(app, browser, number)
    return browser, email_address, number


def password_step(browser, email_address, query=""):
    browser.form("/login" + query, {"email": email_address}, page="/login?change=1" + query.replace("?", "&"))
    return browser.get("/login" + query)


def start_sms_sign_in(app, browser, email_address, number, **extra):
    page = password_step(browser, email_address)
    assert 'value="sms"' in page.text and 'name="phone"' in page.text
    before = len(app.sms(number))
    challenge = browser.post("/login", data={"email": email_address, "password": STRONG_PASSWORD, "method": "sms", "phone": number,
                                             "csrf": browser.csrf(page.text), **extra}, allow_redirects=False)
    assert challenge.status_code == 200 and "Enter the code we sent by SMS" in challenge.text, challenge.text
    message = app.wait_sms(number, count=before + 1)
    return challenge, message


def answer(browser, page, code, **extra):
    main_form = page.text.split('name="resend"')[0]  # the hidden fields of the first form, as a browser sends them
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', main_form))
    blocks = code.split("-") if "-" in code else [code[:4], code[4:8], code[8:]]
    data = {**fields, "csrf": browser.csrf(page.text), **{f"otp_{i + 1}": b for i, b in enumerate(blocks)}, **extra}
    return browser.post("/login", data=data, allow_redirects=False)


def session_methods(app, email_address):
    return [r["methods"] for r in app.query(
        "SELECT s.methods FROM sso_session s JOIN account a ON a.id = s.account_id WHERE a.email = ? ORDER BY s.id", email_address)]


def test_sms_sign_in_with_the_code_in_three_blocks(app):
    _, email_address, number = account_with_phone(app)
    browser = Browser(app)
    page, message = start_sms_sign_in(app, browser, email_address, number)
    code = sms_code(message, (3, 3, 3))
    assert message["text"] == f"Login Appliance sign-in code: {code}. Valid 10 minutes."
    assert page.text.count('class="input input--block"') == 3 and "can take a few minutes" in page.text
    wrong = answer(browser, page, "AAA-AAA-AAA")
    assert wrong.status_code == 401 and "This code is not right" in wrong.text
    too_soon = browser.post("/login", data={**{n: re.search(rf'name="{n}" value="([^"]*)"', page.text).group(1)
                                                for n in ("email", "method", "challenge")}, "resend": "1",
                                             "csrf": browser.csrf(page.text)})
    assert too_soon.status_code == 429 and "cannot be sent again yet" in too_soon.text
    done = answer(browser, page, code.lower())
    assert done.status_code == 303, done.text
    assert browser.get("/account", allow_redirects=False).status_code == 200
    assert session_methods(app, email_address)[-1] == "password,sms"
    # The same challenge never signs in twice: back to the start with an explanation.
    again = answer(browser, page, code)
    assert again.status_code != 303 and "can no longer be used" in again.text
    stored = json.dumps([dict(r) for r in app.query("SELECT * FROM sms_challenge")], default=str)
    assert code.replace("-", "") not in stored


def test_sms_to_a_number_that_is_not_the_accounts_is_never_sent(app):
    _, email_address, number = account_with_phone(app)
    browser = Browser(app)
    page = password_step(browser, email_address)
    stranger = unique_number()
    refused = browser.post("/login", data={"email": email_address, "password": STRONG_PASSWORD, "method": "sms", "phone": stranger,
                                           "csrf": browser.csrf(page.text)})
    assert refused.status_code == 401 and "not one of the mobile phone numbers registered" in refused.text
    assert app.sms(stranger) == []
    wrong_password = browser.post("/login", data={"email": email_address, "password": "wrong-password-1A", "method": "sms",
                                                  "phone": number, "csrf": browser.csrf(page.text)})
    assert wrong_password.status_code == 401 and len(app.sms(number)) == 1  # only the enrolment's SMS


def test_a_challenge_is_worth_nothing_for_another_account(app):
    _, victim, victim_number = account_with_phone(app)
    _, attacker, attacker_number = account_with_phone(app)
    browser = Browser(app)
    page, message = start_sms_sign_in(app, browser, attacker, attacker_number)
    code = sms_code(message, (3, 3, 3))
    stolen = answer(browser, page, code, email=victim)
    assert stolen.status_code != 303
    assert browser.get("/account", allow_redirects=False).status_code == 303


def test_five_wrong_answers_kill_the_challenge(app):
    _, email_address, number = account_with_phone(app)
    browser = Browser(app)
    page, message = start_sms_sign_in(app, browser, email_address, number)
    for _ in range(5):
        wrong = answer(browser, page, "AAA-AAA-AAA")
        assert wrong.status_code in (401, 429)
    dead = answer(browser, page, sms_code(message, (3, 3, 3)))
    assert dead.status_code != 303 and browser.get("/account", allow_redirects=False).status_code == 303


def test_two_factor_service_steps_up_with_the_sms_alone(app):
    browser, email_address, number = account_with_phone(app)
    browser.cookies.clear()
    assert sign_in(browser, email_address).status_code == 200  # a password session, moments old
    login = f"/login?service={quote(VAULT, safe='')}"
    step_up = browser.get(login, allow_redirects=False)
    assert step_up.status_code == 403 and 'value="sms"' in step_up.text and 'name="password"' not in step_up.text
    page = browser.post("/login", data={"email": email_address, "method": "sms", "phone": number, "service": VAULT,
                                        "csrf": browser.csrf(step_up.text)})
    assert "Enter the code we sent by SMS" in page.text, page.text
    code = sms_code(app.wait_sms(number, count=2), (3, 3, 3))
    done = answer(browser, page, code, service=VAULT)
    assert done.status_code == 303 and done.headers["Location"].startswith(VAULT + "?ticket=ST-"), done.text
    ticket = done.headers["Location"].split("ticket=", 1)[1]
    reply = requests.get(app.base_url + "/p3/serviceValidate", params={"service": VAULT, "ticket": ticket, "format": "JSON"})
    attributes = json.loads(reply.text)["serviceResponse"]["authenticationSuccess"]["attributes"]
    assert attributes["authenticationLevel"] == "two-factor" and attributes["authenticationMethod"] == "password,sms"
    assert session_methods(app, email_address)[-1] == "password,sms"


def import_tokens(app, tmp_path, lines):
    path = tmp_path / f"{uuid.uuid4().hex}.csv"
    path.write_text("\n".join(lines) + "\n")
    app.run_cli("token", "import", str(path))


def link_token(browser, serial_no, code):
    page = browser.get("/account/tokens")
    done = browser.post("/account/tokens", data={"serial": serial_no, "otp": code, "csrf": browser.csrf(page.text)})
    assert "Your token has been linked" in done.text, done.text


def token_sign_in(browser, email_address, serial_no, code):
    page = password_step(browser, email_address)
    assert 'value="token"' in page.text and 'name="serial"' in page.text
    return browser.post("/login", data={"email": email_address, "password": STRONG_PASSWORD, "method": "token",
                                        "serial": serial_no, "otp": code, "csrf": browser.csrf(page.text)}, allow_redirects=False)


def test_hotp_token_signs_in_refuses_replays_and_resynchronises(app, tmp_path):
    serial_no, secret = serial("H"), uuid.uuid4().bytes + uuid.uuid4().bytes[:4]
    import_tokens(app, tmp_path, [f"{serial_no},{secret.hex()},hotp,6,"])
    hotp = pyotp.HOTP(base64.b32encode(secret).decode())
    browser = Browser(app)
    email_address = create_account(app, browser)
    link_token(browser, serial_no, hotp.at(0))

    fresh = Browser(app)
    dashed = serial_no[:3] + "-" + serial_no[3:].lower()
    assert token_sign_in(fresh, email_address, dashed, hotp.at(1)).status_code == 303
    replay = token_sign_in(Browser(app), email_address, serial_no, hotp.at(1))
    assert replay.status_code == 401 and "already been used" in replay.text
    wrong_serial = token_sign_in(Browser(app), email_address, serial("NOPE"), hotp.at(2))
    assert wrong_serial.status_code == 401
    # The token was pressed many times away from the sign-in: two consecutive codes bring it back.
    ahead = Browser(app)
    first = token_sign_in(ahead, email_address, serial_no, hotp.at(60))
    assert first.status_code == 401 and "Enter the next code it shows" in first.text
    assert token_sign_in(ahead, email_address, serial_no, hotp.at(61)).status_code == 303
    assert session_methods(app, email_address)[-1] == "password,token"


def test_totp_token_signs_in(app, tmp_path):
    serial_no, secret = serial("T"), uuid.uuid4().bytes + uuid.uuid4().bytes[:4]
    import_tokens(app, tmp_path, [f"{serial_no},{secret.hex()},totp,6,30"])
    totp = pyotp.TOTP(base64.b32encode(secret).decode())
    browser = Browser(app)
    email_address = create_account(app, browser)
    step = int(__import__("time").time() // 30)
    link_token(browser, serial_no, totp.at((step - 1) * 30))
    assert token_sign_in(Browser(app), email_address, serial_no, totp.at(step * 30)).status_code == 303


def ocra(key, question):
    message = SUITE.encode() + b"\0" + bytes.fromhex(format(int(question), "X").ljust(256, "0"))
    mac = hmac.new(key, message, hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return str((int.from_bytes(mac[offset:offset + 4], "big") & 0x7FFFFFFF) % 10**6).zfill(6)


def test_challenge_response_token_signs_in_with_the_response_to_a_fresh_challenge(app, tmp_path):
    serial_no, key = serial("CR"), uuid.uuid4().bytes + uuid.uuid4().bytes[:4]
    import_tokens(app, tmp_path, [f"{serial_no},{key.hex()},{SUITE},6,"])
    browser = Browser(app)
    email_address = create_account(app, browser)
    page = browser.get("/account/tokens")
    linking = browser.post("/account/tokens", data={"serial": serial_no, "otp": "", "csrf": browser.csrf(page.text)})
    question = re.search(r'id="question">([0-9-]+)<', linking.text).group(1).replace("-", "")
    reference = re.search(r'name="reference" value="([^"]+)"', linking.text).group(1)
    done = browser.post("/account/tokens", data={"serial": serial_no, "otp": ocra(key, question), "reference": reference,
                                                 "csrf": browser.csrf(linking.text)})
    assert "Your token has been linked" in done.text

    fresh = Browser(app)
    form = password_step(fresh, email_address)
    assert 'value="token-cram"' in form.text
    challenge = fresh.post("/login", data={"email": email_address, "password": STRONG_PASSWORD, "method": "token-cram",
                                           "serial": serial_no, "csrf": fresh.csrf(form.text)})
    assert challenge.status_code == 200 and "Answer your token" in challenge.text, challenge.text
    grouped = re.search(r'id="question">([0-9-]+)<', challenge.text).group(1)
    assert re.fullmatch(r"\d{4}-\d{4}", grouped)
    response = ocra(key, grouped.replace("-", ""))
    wrong = answer(fresh, challenge, str((int(response) + 1) % 10**6).zfill(6))
    assert wrong.status_code == 401 and grouped in wrong.text
    ok = answer(fresh, challenge, response)
    assert ok.status_code == 303, ok.text
    assert session_methods(app, email_address)[-1] == "password,token-cram"
    again = answer(fresh, challenge, response)
    assert again.status_code != 303 and "can no longer be used" in again.text


def test_a_phone_owner_must_confirm_by_sms_before_linking_a_token_and_panic_removes_everything(app, tmp_path):
    browser, email_address, number = account_with_phone(app)
    serial_no, secret = serial("H"), uuid.uuid4().bytes + uuid.uuid4().bytes[:4]
    import_tokens(app, tmp_path, [f"{serial_no},{secret.hex()},hotp,6,"])
    # The session proved the password only; the account's strongest method is now the SMS.
    listing = browser.get("/account/tokens")
    page = browser.post("/account/tokens", data={"serial": serial_no, "otp": "123456", "csrf": browser.csrf(listing.text)},
                        allow_redirects=False)
    assert page.status_code == 303 and "reauth=1" in page.headers["Location"]
    reauth = browser.get(page.headers["Location"])
    assert 'value="sms"' in reauth.text and 'value="password"' not in reauth.text and 'name="password"' in reauth.text
    challenge = browser.post("/login", data={"email": email_address, "password": STRONG_PASSWORD, "method": "sms", "phone": number,
                                             "reauth": "1", "next": "/account/tokens", "csrf": browser.csrf(reauth.text)})
    code = sms_code(app.wait_sms(number, count=2), (3, 3, 3))
    back = answer(browser, challenge, code, next="/account/tokens")
    assert back.status_code == 303 and back.headers["Location"] == "/account/tokens"
    link_token(browser, serial_no, pyotp.HOTP(base64.b32encode(secret).decode()).at(0))

    panic = browser.get("/account/panic")
    done = browser.post("/account/panic", data={"password": STRONG_PASSWORD, "csrf": browser.csrf(panic.text)})
    assert "All your second factors have been removed" in done.text
    detail = app.query("SELECT detail FROM audit_log WHERE event = 'factors_removed_all' AND email = ?", email_address)[0]["detail"]
    assert detail == "methods=sms,token"
    assert app.query("SELECT COUNT(*) AS n FROM phone_number p JOIN account a ON a.id = p.account_id WHERE a.email = ?",
                     email_address)[0]["n"] == 0
    assert app.query("SELECT account_id FROM hardware_token WHERE serial = ?", serial_no.replace("-", ""))[0]["account_id"] is None
    form = password_step(Browser(app), email_address)
    assert 'value="sms"' not in form.text and 'value="token"' not in form.text


def test_a_method_the_account_does_not_have_never_signs_in(app):
    email_address = create_account(app, Browser(app))
    browser = Browser(app)
    page = password_step(browser, email_address)
    assert 'value="token"' not in page.text and 'value="sms"' not in page.text
    for extra in ({"method": "token", "serial": "X1", "otp": "123456"}, {"method": "token-cram", "serial": "X1"},
                  {"method": "sms", "phone": unique_number()}, {"method": "totp", "otp": "123456"}):
        refused = browser.post("/login", data={"email": email_address, "password": STRONG_PASSWORD, "csrf": browser.csrf(page.text),
                                               **extra}, allow_redirects=False)
        assert refused.status_code == 401 and "Location" not in refused.headers, extra
    assert browser.get("/account", allow_redirects=False).status_code == 303
