"""Self-registration → e-mail → link → password → signed in, and the link's failure paths."""
import re
import sqlite3

from conftest import STRONG_PASSWORD, Browser, create_account, fresh_email, register, sign_in


def test_registration_mail_link_password_signs_in(app, browser):
    address = fresh_email()
    page = register(browser, address, first="Zoë", last="Ōta")
    assert page.status_code == 200 and "Check your e-mail" in page.text
    mail = app.wait_mail(address, "Choose your password")
    assert "Zoë" in app.text_of(mail)
    assert mail["Message-ID"] and mail["Date"]
    assert mail.get_body(preferencelist=("html",)) is not None
    link = app.link_in(mail)
    form = browser.get(link)
    assert form.status_code == 200
    assert f'value="{address}" readonly' in form.text
    token = re.search(r'name="token" value="([^"]+)"', form.text).group(1)
    done = browser.post("/password/set", data={"token": token, "password": STRONG_PASSWORD,
                                               "password_confirm": STRONG_PASSWORD, "csrf": browser.csrf(form.text)})
    assert done.status_code == 200 and "Your password is set" in done.text
    account = browser.get("/account")
    assert account.status_code == 200 and address in account.text and "Zoë" in account.text
    # The stored password is an Argon2id hash, never the password.
    row = app.query("SELECT password_hash, status FROM account WHERE email = ?", address)[0]
    assert row["password_hash"].startswith("$argon2id$") and STRONG_PASSWORD not in row["password_hash"]
    assert row["status"] == "active"


def test_used_link_explains_and_offers_a_new_one(app, browser):
    address = create_account(app, browser)
    link = app.link_in(app.mails(address)[0])
    again = Browser(app).get(link)
    assert again.status_code == 410 and "already been used" in again.text
    assert 'action="/password/lost"' in again.text


def test_unknown_link_is_rejected(app, browser):
    page = browser.get("/password/set?token=not-a-real-token")
    assert page.status_code == 410 and "not valid" in page.text


def test_existing_address_gets_the_same_page_and_a_mail_to_the_owner(app, browser):
    address = create_account(app, browser)
    other = Browser(app)
    page = register(other, address)
    assert page.status_code == 200 and "Check your e-mail" in page.text
    app.wait_mail(address, "already have an account")
    assert len(app.query("SELECT id FROM account WHERE email = ?", address)) == 1


def test_registration_form_errors_keep_input_and_name_fields(app, browser):
    html = browser.get("/register").text
    response = browser.post("/register", data={"first_name": "", "last_name": "Lovelace", "email": "ada@example.org",
                                               "email_confirm": "ada@example.com", "email_lang": "en",
                                               "csrf": browser.csrf(html), "captcha_id": "x", "captcha": "wrong"})
    assert response.status_code == 400
    body = response.text
    assert "There is a problem" in body
    for anchor in ("#first_name", "#email_confirm", "#captcha", "#privacy"):
        assert f'href="{anchor}"' in body
    assert 'value="Lovelace"' in body and 'value="ada@example.org"' in body


def test_wrong_captcha_is_refused_and_challenge_is_single_use(app, browser):
    address = fresh_email()
    html = browser.get("/register").text
    captcha_id = re.search(r'name="captcha_id" value="([^"]+)"', html).group(1)
    answer = app.captcha_answer(captcha_id)
    image = browser.get(f"/captcha/image?id={captcha_id}")
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    data = {"first_name": "Ada", "last_name": "Lovelace", "email": address, "email_confirm": address,
            "email_lang": "en", "privacy": "yes", "csrf": browser.csrf(html), "captcha_id": captcha_id, "captcha": "XXXXXX"}
    refused = browser.post("/register", data=data)
    assert refused.status_code == 400 and "code was not right" in refused.text
    # The right answer to the used challenge no longer works either.
    refused_again = browser.post("/register", data={**data, "captcha": answer})
    assert refused_again.status_code == 400
    assert not app.query("SELECT id FROM account WHERE email = ?", address)


def test_expired_link_explains(app, browser):
    address = fresh_email()
    register(browser, address)
    link = app.link_in(app.wait_mail(address, "password"))
    con = sqlite3.connect(app.db_path, timeout=10)
    with con:
        con.execute("UPDATE email_link SET expires_at = expires_at - 86401 WHERE account_id = (SELECT id FROM account WHERE email = ?)", (address,))
    con.close()
    page = browser.get(link)
    assert page.status_code == 410 and "expired" in page.text
    # Asking for a new link sends one that works.
    sent = browser.post("/password/lost", data={"email": address, "csrf": browser.csrf(page.text)})
    assert sent.status_code == 200
    fresh = app.link_in(app.wait_mail(address, "password", count=2))
    assert fresh != link and browser.get(fresh).status_code == 200


def test_password_rules_each_explained(app, browser):
    address = fresh_email("rules")
    register(browser, address, first="Grace", last="Hopper")
    link = app.link_in(app.wait_mail(address, "password"))
    html = browser.get(link).text
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    local = address.split("@")[0]
    cases = {
        "Sh0rt!x": "at least 10 characters",
        "alllowercaseletters": "at least three of",
        f"X9!{local}abc": "e-mail address",
        "Grace-Hopper-1906!": "first or last name",
        "Password123": "public list of exposed passwords",
    }
    for password, message in cases.items():
        page = browser.post("/password/set", data={"token": token, "password": password, "password_confirm": password,
                                                   "csrf": browser.csrf(html)})
        assert page.status_code == 400, password
        assert message in page.text, (password, message)
    mismatch = browser.post("/password/set", data={"token": token, "password": STRONG_PASSWORD, "password_confirm": STRONG_PASSWORD + "x",
                                                   "csrf": browser.csrf(html)})
    assert mismatch.status_code == 400 and "not the same" in mismatch.text
    long_password = "Aa1!" + "x" * 200
    ok = browser.post("/password/set", data={"token": token, "password": long_password, "password_confirm": long_password,
                                             "csrf": browser.csrf(html)})
    assert ok.status_code == 200
    assert sign_in(Browser(app), address, long_password).url.endswith("/login")


def test_sample_passwords_are_offered(app, browser):
    samples = browser.get("/password/samples").json()["samples"]
    assert len(samples) == 3 and len(set(samples)) == 3
    assert all(len(s) >= 10 for s in samples)


def test_captcha_audio_and_refresh(app, browser):
    import shutil
    html = browser.get("/register").text
    captcha_id = re.search(r'name="captcha_id" value="([^"]+)"', html).group(1)
    fresh = browser.get("/captcha/new").json()
    assert fresh["id"] != captcha_id and browser.get(fresh["image"]).content.startswith(b"\x89PNG")
    assert browser.get("/captcha/image?id=unknown").status_code == 404
    if shutil.which("espeak-ng"):
        audio = browser.get(f"/captcha/audio?id={captcha_id}&lang=fr")
        assert audio.status_code == 200 and audio.content[:4] == b"RIFF" and audio.content[8:12] == b"WAVE"
        assert len(audio.content) > 20000
