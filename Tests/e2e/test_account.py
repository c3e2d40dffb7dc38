"""My Account: personal data, e-mail change with confirmation, password change, deletion."""
import re

from conftest import STRONG_PASSWORD, Browser, create_account, fresh_email, sign_in


def test_account_requires_sign_in(app, browser):
    page = browser.get("/account", allow_redirects=False)
    assert page.status_code == 303 and page.headers["Location"].startswith("/login?next=")


def test_profile_change(app, browser):
    address = create_account(app, browser)
    page = browser.form("/account/profile", {"first_name": "Ada", "last_name": "King", "email_lang": "fr"})
    assert page.status_code == 200 and "King" in page.text
    bad = browser.form("/account/profile", {"first_name": "", "last_name": "K1ng<", "email_lang": "xx"})
    assert bad.status_code == 400 and 'href="#first_name"' in bad.text and 'href="#email_lang"' in bad.text
    row = app.query("SELECT last_name, email_language FROM account WHERE email = ?", address)[0]
    assert (row["last_name"], row["email_language"]) == ("King", "fr")


def test_email_change_needs_confirmation_from_new_address(app, browser):
    address = create_account(app, browser)
    new = fresh_email("new")
    page = browser.form("/account/email", {"email": new, "email_confirm": new})
    assert page.status_code == 200
    app.wait_mail(address, "change of e-mail address")
    link = app.link_in(app.wait_mail(new, "Confirm your new e-mail"))
    assert app.query("SELECT id FROM account WHERE email = ?", address)
    done = browser.get(link)
    assert done.status_code == 200 and new in done.text
    assert app.query("SELECT id FROM account WHERE email = ?", new)
    app.wait_mail(address, "has been changed")
    assert "You are signed in" in sign_in(Browser(app), new).text


def test_password_change_asks_current_and_notifies(app, browser):
    address = create_account(app, browser)
    other = Browser(app)
    sign_in(other, address)
    assert other.get("/account").status_code == 200
    wrong = browser.form("/account/password", {"current_password": "not-it", "password": "New-Secret-pass-77",
                                               "password_confirm": "New-Secret-pass-77"})
    assert wrong.status_code == 400 and "current password is not right" in wrong.text
    ok = browser.form("/account/password", {"current_password": STRONG_PASSWORD, "password": "New-Secret-pass-77",
                                            "password_confirm": "New-Secret-pass-77"})
    assert ok.status_code == 200 and "password has been changed" in ok.text
    app.wait_mail(address, "password has been changed")
    # The other browser was signed out; this one stays.
    assert other.get("/account", allow_redirects=False).status_code == 303
    assert browser.get("/account").status_code == 200
    assert "You are signed in" in sign_in(Browser(app), address, "New-Secret-pass-77").text


def test_delete_account(app, browser):
    address = create_account(app, browser)
    wrong = browser.form("/account/delete", {"password": "nope"})
    assert wrong.status_code == 400
    page = browser.form("/account/delete", {"password": STRONG_PASSWORD})
    assert page.status_code == 200 and "has been deleted" in page.text
    assert not app.query("SELECT id FROM account WHERE email = ?", address)
    assert not app.query("SELECT id FROM sso_session s WHERE NOT EXISTS (SELECT 1 FROM account a WHERE a.id = s.account_id)")
    app.wait_mail(address, "has been deleted")
    assert browser.get("/account", allow_redirects=False).status_code == 303


def test_lost_password_resets_and_ends_sessions(app, browser):
    address = create_account(app, browser)
    other = Browser(app)
    page = other.form("/password/lost", {"email": address})
    assert page.status_code == 200
    link = app.link_in(app.wait_mail(address, "Reset your password"))
    html = other.get(link).text
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    done = other.post("/password/set", data={"token": token, "password": "Reset-Secret-pass-88",
                                             "password_confirm": "Reset-Secret-pass-88", "csrf": other.csrf(html)})
    assert done.status_code == 200
    assert browser.get("/account", allow_redirects=False).status_code == 303
    # Unknown addresses get the same page and no mail.
    ghost = fresh_email("ghost")
    assert other.form("/password/lost", {"email": ghost}).status_code == 200
    assert not app.mails(ghost)
