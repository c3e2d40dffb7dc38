"""Hardware tokens: import through the real command line (PSKC plain and password-protected, CSV), linking in
My Account with codes computed by pyotp (HOTP, TOTP) and by this file's own OCRA (RFC 6287) computation, wrong
serials, replayed codes, unlinking, and the operator's token list."""
import base64
import binascii
import hashlib
import hmac
import re
import subprocess
import time
import uuid
from pathlib import Path

import pyotp
import pytest

from conftest import STRONG_PASSWORD, Appliance, Browser, create_account, sign_in

RFC_SECRET = b"12345678901234567890"
EXAMPLES = Path(__file__).parent / "support" / "pskc"


@pytest.fixture(scope="module")
def tokens_app(tmp_path_factory):
    appliance = Appliance(tmp_path_factory.mktemp("tokens")).start()
    yield appliance
    appliance.stop()


def serial(tag):
    return f"{tag}{uuid.uuid4().hex[:8]}".upper()


def b32(secret):
    return base64.b32encode(secret).decode()


def ocra(suite, key, question):
    """RFC 6287 for suites of the form OCRA-1:HOTP-SHA1-d:QNnn: the suite, a zero byte, and the numeric question as
    hexadecimal padded to 128 bytes, through HMAC-SHA-1 and dynamic truncation."""
    digits = int(suite.split(":")[1].split("-")[2])
    question_hex = format(int(question), "X").ljust(256, "0")
    message = suite.encode() + b"\0" + bytes.fromhex(question_hex)
    mac = hmac.new(key, message, hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = int.from_bytes(mac[offset:offset + 4], "big") & 0x7FFFFFFF
    return str(value % 10 ** digits).zfill(digits)


def test_own_ocra_matches_rfc6287():
    assert ocra("OCRA-1:HOTP-SHA1-6:QN08", RFC_SECRET, "00000000") == "237653"
    assert ocra("OCRA-1:HOTP-SHA1-6:QN08", RFC_SECRET, "99999999") == "294470"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def pskc(name, serial_no):
    return (EXAMPLES / name).read_text().replace("987654321", serial_no)


def signed_in(app):
    browser = Browser(app)
    email_address = create_account(app, browser)
    assert sign_in(browser, email_address).status_code == 200
    return browser, email_address


def link(browser, serial_no, code="", reference=None):
    page = browser.get("/account/tokens")
    data = {"serial": serial_no, "otp": code, "csrf": browser.csrf(page.text)}
    if reference:
        data["reference"] = reference
    return browser.post("/account/tokens", data=data)


def test_import_pskc_plain_pre_shared_key_and_password_based_then_link_hotp(tokens_app, tmp_path):
    plain, protected = serial("P"), serial("PBE")
    result = tokens_app.run_cli("token", "import", write(tmp_path, "plain.xml", pskc("rfc6030-plain.xml", plain)))
    assert "imported 1 token(s): 1 hotp (pskc)" in result.stdout
    refused = tokens_app.run_cli("token", "import", write(tmp_path, "pbe.xml", pskc("rfc6030-pbe.xml", protected)),
                                 "--password", "wrong", check=False)
    assert refused.returncode != 0 and "wrong key or password" in refused.stderr
    password_file = write(tmp_path, "password.txt", "qwerty\n")
    result = tokens_app.run_cli("token", "import", str(tmp_path / "pbe.xml"), "--password-file", password_file)
    assert "imported 1 token(s): 1 hotp" in result.stdout
    again = tokens_app.run_cli("token", "import", str(tmp_path / "pbe.xml"), "--password-file", password_file)
    assert f"skipped {protected}" in again.stdout
    shared = serial("PSK")
    result = tokens_app.run_cli("token", "import", write(tmp_path, "psk.xml", pskc("rfc6030-pre-shared-key.xml", shared)),
                                "--key", "12345678901234567890123456789012")
    assert "imported 1 token(s): 1 hotp" in result.stdout
    secrets = tokens_app.query("SELECT sealed_secret FROM hardware_token WHERE serial IN (?, ?)", plain, protected)
    assert len(secrets) == 2 and all(RFC_SECRET not in bytes(row["sealed_secret"]) for row in secrets)

    browser, email_address = signed_in(tokens_app)
    hotp = pyotp.HOTP(b32(RFC_SECRET), digits=8)
    # Printed with a hyphen in the middle, typed in lower case: both are ignored.
    typed = protected[:3].lower() + "-" + protected[3:]
    done = link(browser, typed, hotp.at(1))
    assert done.status_code == 200 and "Your token has been linked" in done.text, done.text
    tokens_app.wait_mail(email_address, "hardware token was linked")
    page = browser.get("/account/tokens").text
    assert protected in page and "Code at the press of a button" in page
    listing = tokens_app.run_cli("token", "list").stdout
    assert f"{protected}\thotp\t{email_address}" in listing and f"{plain}\thotp\tfree" in listing
    audit = tokens_app.query("SELECT detail FROM audit_log WHERE event = 'factor_added' AND email = ?", email_address)
    assert [row["detail"] for row in audit] == [f"method=token serial={protected}"]

    # The token from the password-protected PSKC file signs in, with the next code pyotp computes.
    fresh = Browser(tokens_app)
    fresh.form("/login", {"email": email_address}, page="/login?change=1")
    form = fresh.get("/login")
    assert 'value="token"' in form.text
    signed = fresh.post("/login", data={"email": email_address, "password": STRONG_PASSWORD, "method": "token", "serial": protected,
                                        "otp": hotp.at(2), "csrf": fresh.csrf(form.text)}, allow_redirects=False)
    assert signed.status_code == 303 and fresh.get("/account", allow_redirects=False).status_code == 200


def test_csv_import_reports_every_bad_line_and_imports_nothing(tokens_app, tmp_path):
    good = serial("CSV")
    text = "\n".join([
        "serial,secret,type,digits,period",
        "# a comment",
        f"{good},{RFC_SECRET.hex()},totp,6,30",
        f"{serial('BAD')},nothex,hotp,6,30",
        f"{serial('BAD')},{RFC_SECRET.hex()},hotp,12,30",
    ])
    result = tokens_app.run_cli("token", "import", write(tmp_path, "bad.csv", text), check=False)
    assert result.returncode != 0
    assert "line 4: the secret is not hexadecimal" in result.stderr and "line 5: codes must have 6 to 8 digits" in result.stderr
    assert tokens_app.query("SELECT COUNT(*) AS n FROM hardware_token WHERE serial = ?", good)[0]["n"] == 0


def test_totp_from_csv_links_once_and_a_replayed_code_is_refused(tokens_app, tmp_path):
    totp_serial, secret = serial("T"), uuid.uuid4().bytes + uuid.uuid4().bytes[:4]
    text = f"{totp_serial},{secret.hex()},totp,6,30\n"
    result = tokens_app.run_cli("token", "import", write(tmp_path, "tokens.csv", text), "--format", "csv")
    assert "imported 1 token(s): 1 totp (csv)" in result.stdout

    browser, email_address = signed_in(tokens_app)
    wrong = link(browser, "NO-SUCH-SERIAL", "123456")
    assert wrong.status_code == 400 and "There is no free token with this serial number" in wrong.text
    assert 'value="NO-SUCH-SERIAL"' in wrong.text  # the input is kept
    code = pyotp.TOTP(b32(secret)).now()
    assert "Your token has been linked" in link(browser, totp_serial, code).text

    # The token is now the account's strongest method: unlinking it needs a verification with it first.
    page = browser.get("/account/tokens")
    refused = browser.post("/account/tokens/unlink", data={"serial": totp_serial, "csrf": browser.csrf(page.text)})
    assert "/login?reauth=1" in refused.url
    form = browser.get("/login?reauth=1&next=%2Faccount%2Ftokens")
    assert 'value="token"' in form.text and 'value="password"' not in form.text
    next_code = pyotp.TOTP(b32(secret)).at(time.time() + 30)
    page = browser.post("/login", data={"email": email_address, "password": STRONG_PASSWORD, "method": "token", "serial": totp_serial,
                                         "otp": next_code, "reauth": "1", "next": "/account/tokens", "csrf": browser.csrf(form.text)})
    assert page.url.endswith("/account/tokens"), page.text
    unlinked = browser.post("/account/tokens/unlink", data={"serial": totp_serial, "csrf": browser.csrf(page.text)})
    assert unlinked.status_code == 200 and "Your token has been unlinked" in unlinked.text
    tokens_app.wait_mail(email_address, "hardware token was unlinked")
    replayed = link(browser, totp_serial, code)
    assert replayed.status_code == 400 and "This code has already been used" in replayed.text


def test_ocra_token_links_with_the_response_to_a_challenge(tokens_app, tmp_path):
    ocra_serial, suite = serial("CR"), "OCRA-1:HOTP-SHA1-6:QN08"
    tokens_app.run_cli("token", "import", write(tmp_path, "ocra.csv", f"{ocra_serial},{RFC_SECRET.hex()},{suite},6,\n"))
    browser, email_address = signed_in(tokens_app)
    page = link(browser, ocra_serial)
    assert page.status_code == 200 and "Answer the challenge" in page.text
    grouped = re.search(r'<span class="challenge" id="question">([0-9-]+)</span>', page.text).group(1)
    question = grouped.replace("-", "")
    assert len(question) == 8 and re.fullmatch(r"\d{4}-\d{4}", grouped)
    reference = re.search(r'name="reference" value="([^"]+)"', page.text).group(1)
    response = ocra(suite, RFC_SECRET, question)
    wrong = link(browser, ocra_serial, str((int(response) + 1) % 10 ** 6).zfill(6), reference)
    assert wrong.status_code == 400 and "This response is not right" in wrong.text and grouped in wrong.text
    done = link(browser, ocra_serial, response, reference)
    assert "Your token has been linked" in done.text, done.text
    assert "Challenge-response" in browser.get("/account/tokens").text
    # Linked: the account's next factor change needs a verification with the token first.
    reused = link(browser, ocra_serial, response, reference)
    assert "/login?reauth=1" in reused.url


def test_token_pages_need_a_session_and_a_csrf_token(tokens_app):
    anonymous = Browser(tokens_app)
    assert "/login" in anonymous.get("/account/tokens").url
    browser, _ = signed_in(tokens_app)
    refused = browser.post("/account/tokens", data={"serial": "X", "otp": "123456"}, allow_redirects=False)
    assert refused.status_code in (400, 403)
