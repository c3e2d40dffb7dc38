"""CAS single sign-on with the real python-cas client: login, SSO, validation, the refusals, logout."""
import re
import shutil
import signal
import sqlite3
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests
from cas import CASClient

from conftest import STRONG_PASSWORD, Appliance, Browser, create_account

WIKI = "https://wiki.example.test/login?next=%2Fhome"
MAIL = "https://mail.example.test:8443/cas/callback"
VAULT = "https://vault.example.test/"
SHOP = "https://shop.example.test/cas"

SERVICES = """
[[service]]
name = "wiki"
protocol = "cas"
match = ["https://wiki.example.test/login*", "https://wiki.example.test/"]
attributes = ["email", "firstName", "lastName", "uid", "authenticationLevel", "isFromNewLogin"]

[[service]]
name = "mail"
protocol = "cas"
match = "https://mail.example.test:8443/cas/callback"
attributes = ["email"]

[[service]]
name = "vault"
protocol = "cas"
match = "https://vault.example.test/"
min_level = "two-factor"

[[service]]
name = "shop"
protocol = "cas"
match = "https://shop.example.test/cas"
logout_url = "http://127.0.0.1:{slo_port}/slo"

[[service]]
name = "poster"
protocol = "cas"
match = "http://127.0.0.1:{slo_port}/landing"
"""


class LogoutListener(ThreadingHTTPServer):
    """A service's back channel: records each POST; answers with the next scripted status (then 200)."""

    def __init__(self):
        self.received = []
        self.statuses = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"] or 0)).decode()
                status = outer.statuses.pop(0) if outer.statuses else 200
                outer.received.append((self.path, self.headers["Content-Type"], body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def wait(self, count, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline and len(self.received) < count:
            time.sleep(0.05)
        assert len(self.received) >= count, self.received
        return self.received[count - 1]


@pytest.fixture(scope="module")
def listener():
    server = LogoutListener()
    yield server
    server.shutdown()


@pytest.fixture(scope="module")
def cas_app(tmp_path_factory, listener):
    config = SERVICES.replace("{slo_port}", str(listener.server_address[1]))
    appliance = Appliance(tmp_path_factory.mktemp("cas"), extra_config=config).start()
    yield appliance
    appliance.stop()


@pytest.fixture(scope="module")
def account(cas_app):
    return create_account(cas_app, Browser(cas_app), first="Grace", last="Hopper")


def login_url(app, service, **params):
    query = "&".join([f"service={quote(service, safe='')}"] + [f"{k}={v}" for k, v in params.items()])
    return f"{app.base_url}/login?{query}"


def cas_sign_in(browser, service, email_address, **params):
    """The two sign-in steps for a CAS request; returns the final (not followed) response."""
    page = browser.get(login_url(browser.app, service, **params))
    assert page.status_code == 200 and f'name="service" value="{service}"'.replace("&", "&amp;") in page.text
    step = browser.post("/login", data={"email": email_address, "service": service, **params,
                                        "csrf": browser.csrf(page.text)})
    assert "Welcome" in step.text
    return browser.post("/login", data={"email": email_address, "password": STRONG_PASSWORD, "method": "password",
                                        "service": service, **params, "csrf": browser.csrf(step.text)},
                        allow_redirects=False)


def ticket_of(response, service):
    assert response.status_code == 303, response.text
    location = response.headers["Location"]
    assert location.startswith(service + ("&" if "?" in service else "?") + "ticket=ST-")
    return parse_qs(urlsplit(location).query)["ticket"][0]


def client(app, service, version=3):
    return CASClient(version=version, service_url=service, server_url=app.base_url + "/")


def test_one_sign_in_gives_tickets_for_two_services(cas_app, account):
    browser = Browser(cas_app)
    assert client(cas_app, WIKI).get_login_url() == login_url(cas_app, WIKI)
    first = ticket_of(cas_sign_in(browser, WIKI, account), WIKI)
    user, attributes, _ = client(cas_app, WIKI).verify_ticket(first)
    assert user and user != account
    assert attributes["email"] == account and attributes["firstName"] == "Grace" and attributes["uid"] == user
    assert attributes["authenticationLevel"] == "password" and attributes["isFromNewLogin"] == "true"

    second_response = browser.get(login_url(cas_app, MAIL), allow_redirects=False)
    second = ticket_of(second_response, MAIL)
    user2, attributes2, _ = client(cas_app, MAIL, version=2).verify_ticket(second)
    assert user2 == user and not attributes2  # CAS 2.0 carries no attributes

    # The same session again for the wiki: a ticket at once, not from a new login.
    third = ticket_of(browser.get(login_url(cas_app, WIKI), allow_redirects=False), WIKI)
    _, attributes3, _ = client(cas_app, WIKI).verify_ticket(third)
    assert attributes3["isFromNewLogin"] == "false"
    session_id = cas_app.query("SELECT session_id FROM session_service ORDER BY last_ticket_at DESC LIMIT 1")[0][0]
    visited = cas_app.query("SELECT service FROM session_service WHERE session_id = ? ORDER BY service", session_id)
    assert [row["service"] for row in visited] == ["mail", "wiki"]


def test_tickets_are_stored_only_as_hashes(cas_app, account):
    browser = Browser(cas_app)
    ticket = ticket_of(cas_sign_in(browser, WIKI, account), WIKI)
    for row in cas_app.query("SELECT * FROM service_ticket"):
        assert ticket not in [str(value) for value in tuple(row)]
    assert client(cas_app, WIKI, version=1).verify_ticket(ticket)[0]


def test_json_and_cas1_validation(cas_app, account):
    browser = Browser(cas_app)
    ticket = ticket_of(cas_sign_in(browser, MAIL, account), MAIL)
    answer = requests.get(cas_app.base_url + "/p3/serviceValidate",
                          params={"service": MAIL, "ticket": ticket, "format": "JSON"}).json()
    success = answer["serviceResponse"]["authenticationSuccess"]
    assert success["attributes"] == {"email": account}
    replay = requests.get(cas_app.base_url + "/p3/serviceValidate",
                          params={"service": MAIL, "ticket": ticket, "format": "JSON"}).json()
    assert replay["serviceResponse"]["authenticationFailure"]["code"] == "INVALID_TICKET"
    # The log line quotes a value with spaces (and escapes its quotes) so that it stays one key=value field.
    assert re.search(r'service ticket rejected code=INVALID_TICKET ip=\S+ reason="ticket already used"', (cas_app.dir / "serve.log").read_text())
    ticket2 = ticket_of(browser.get(login_url(cas_app, MAIL), allow_redirects=False), MAIL)
    v1 = requests.get(cas_app.base_url + "/validate", params={"service": MAIL, "ticket": ticket2})
    assert v1.text.startswith("yes\n") and v1.text.count("\n") == 2
    assert requests.get(cas_app.base_url + "/validate", params={"service": MAIL, "ticket": ticket2}).text == "no\n\n"


def test_replayed_ticket_and_ticket_for_another_service_are_refused(cas_app, account):
    browser = Browser(cas_app)
    ticket = ticket_of(cas_sign_in(browser, WIKI, account), WIKI)
    assert client(cas_app, WIKI).verify_ticket(ticket)[0]
    assert client(cas_app, WIKI).verify_ticket(ticket)[0] is None
    other = ticket_of(browser.get(login_url(cas_app, WIKI), allow_redirects=False), WIKI)
    wrong = requests.get(cas_app.base_url + "/serviceValidate", params={"service": MAIL, "ticket": other})
    assert 'code="INVALID_SERVICE"' in wrong.text
    # Burned by that attempt: the right service cannot use it afterwards either.
    assert client(cas_app, WIKI).verify_ticket(other)[0] is None


@pytest.mark.parametrize("lookalike", [
    "https://wiki.example.test.evil.test/",
    "https://wiki.example.test@evil.test/",
    "https://wiki.example.test:444/",
    "http://wiki.example.test/",
    "https://wiki.example.test/login/..%2F..%2Fevil",
    "https://wiki.example.test/login/%5C%5Cevil.test",
    "https://wiki.example.test/login/../../evil",
    "https://evil.test/?https://wiki.example.test/",
])
def test_lookalike_services_get_no_ticket_and_no_link(cas_app, account, lookalike):
    browser = Browser(cas_app)
    page = browser.get(login_url(cas_app, lookalike), allow_redirects=False)
    assert page.status_code == 400 and "Location" not in page.headers
    assert "not registered" in page.text
    # Every link and form stays on the appliance (the language links keep the query, encoded, on /login).
    targets = re.findall(r'(?:href|action|src)="([^"]*)"', page.text)
    assert targets and all(t.startswith(("/", "#")) and not t.startswith("//") for t in targets), targets
    gateway = browser.get(login_url(cas_app, lookalike, gateway="true"), allow_redirects=False)
    assert gateway.status_code == 400 and "Location" not in gateway.headers


def test_renew_asks_for_the_password_even_with_a_session(cas_app, account):
    browser = Browser(cas_app)
    ticket_of(cas_sign_in(browser, WIKI, account), WIKI)
    again = browser.get(login_url(cas_app, WIKI, renew="true"), allow_redirects=False)
    assert again.status_code == 200 and 'name="password"' in again.text
    step = cas_sign_in(browser, WIKI, account, renew="true")
    fresh = ticket_of(step, WIKI)
    answer = requests.get(cas_app.base_url + "/p3/serviceValidate", params={"service": WIKI, "ticket": fresh, "renew": "true"})
    assert "authenticationSuccess" in answer.text
    sso = ticket_of(browser.get(login_url(cas_app, WIKI), allow_redirects=False), WIKI)
    refused = requests.get(cas_app.base_url + "/p3/serviceValidate", params={"service": WIKI, "ticket": sso, "renew": "true"})
    assert 'code="INVALID_TICKET"' in refused.text


def test_gateway_without_session_returns_without_ticket(cas_app):
    response = Browser(cas_app).get(login_url(cas_app, WIKI, gateway="true"), allow_redirects=False)
    assert response.status_code == 303 and response.headers["Location"] == WIKI


def test_a_stronger_service_is_never_served_by_a_weaker_session(cas_app, account):
    browser = Browser(cas_app)
    ticket_of(cas_sign_in(browser, WIKI, account), WIKI)
    page = browser.get(login_url(cas_app, VAULT), allow_redirects=False)
    # The account has no second factor: no method reaches the service, so no form is offered at all.
    assert page.status_code == 403 and "Location" not in page.headers and 'name="password"' not in page.text
    assert "add an authenticator app" in page.text
    assert browser.get(login_url(cas_app, VAULT, gateway="true"), allow_redirects=False).headers["Location"] == VAULT


def test_method_post_hands_the_ticket_over_in_a_form(cas_app, account):
    browser = Browser(cas_app)
    ticket_of(cas_sign_in(browser, WIKI, account), WIKI)
    page = browser.get(login_url(cas_app, MAIL, method="POST"), allow_redirects=False)
    assert page.status_code == 200
    assert f'action="{MAIL}"' in page.text and 'name="ticket" value="ST-' in page.text and "<script>" not in page.text
    assert "form-action 'self' https://mail.example.test:8443;" in page.headers["Content-Security-Policy"]
    static = requests.get(cas_app.base_url + "/static/app.js").text
    assert "data-auto-submit" in static


def test_logout_links_back_only_to_registered_services(cas_app, account):
    browser = Browser(cas_app)
    ticket_of(cas_sign_in(browser, WIKI, account), WIKI)
    page = browser.get(f"/logout?service={quote(WIKI, safe='')}")
    assert "You are logged out" in page.text and "wiki.example.test" in page.text
    assert browser.get(login_url(cas_app, WIKI, gateway="true"), allow_redirects=False).headers["Location"] == WIKI
    evil = Browser(cas_app).get("/logout?service=https%3A%2F%2Fevil.test%2F")
    assert "You are logged out" in evil.text
    links = re.findall(r'(?:href|action|src)="([^"]*)"', evil.text)
    assert [t for t in links if not t.startswith(("/", "#"))] == []


def test_service_cli_explains_matches(cas_app):
    listed = cas_app.run_cli("service", "list").stdout
    assert "wiki" in listed and "vault" in listed and "two-factor" in listed
    ok = cas_app.run_cli("service", "check", "https://wiki.example.test/login?x=1").stdout
    assert 'service "wiki"' in ok and "pattern https://wiki.example.test/login*" in ok
    refused = cas_app.run_cli("service", "check", "https://wiki.example.test@evil.test/", check=False)
    assert refused.returncode != 0 and "user information" in refused.stdout
    none = cas_app.run_cli("service", "check", "https://wiki.example.test.evil.test/", check=False)
    assert none.returncode != 0 and "no registered service" in none.stdout


def test_check_reports_every_service_problem(cas_app, tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text(cas_app.config.read_text().split("[[service]]")[0] + """
[cas]
ticket_seconds = 600

[[service]]
name = "a"
protocol = "cas"
match = ["https://*.example.test/", "https://ok.example.test/"]
min_level = "strong"
attributes = ["email", "password"]
colour = "red"

[[service]]
name = "a"
protocol = "oidc"
""")
    result = subprocess.run([cas_app.bin, "check", "--config", str(config)], capture_output=True, text=True)
    out = result.stdout
    assert result.returncode != 0
    for expected in ["cas.ticket_seconds", "service[1].match", "service[1].min_level", 'unknown attribute "password"',
                     "service[1].colour: unknown key", "service[2].name", "service[2].protocol", "service[2].match: required"]:
        assert expected in out, out


def test_single_logout_is_retried_until_the_service_accepts_it(cas_app, account, listener):
    browser = Browser(cas_app)
    ticket = ticket_of(cas_sign_in(browser, SHOP, account), SHOP)
    shop = client(cas_app, SHOP)
    assert shop.verify_ticket(ticket)[0]
    ticket_of(browser.get(login_url(cas_app, WIKI), allow_redirects=False), WIKI)  # no logout_url: nothing sent
    listener.statuses.append(500)
    before = len(listener.received)
    assert "You are logged out" in browser.get("/logout").text
    path, content_type, body, status = listener.wait(before + 1)
    assert path == "/slo" and status == 500 and content_type == "application/x-www-form-urlencoded"
    # The failure is recorded with a back-off; make it due now instead of waiting.
    deadline = time.time() + 10
    while time.time() < deadline:
        rows = cas_app.query("SELECT status, attempts, last_error FROM http_outbox")
        if rows and rows[-1]["status"] == "queued" and rows[-1]["attempts"] == 1:
            break
        time.sleep(0.05)
    assert rows[-1]["last_error"] == "http 500"
    con = sqlite3.connect(cas_app.db_path, timeout=10)
    with con:
        con.execute("UPDATE http_outbox SET next_attempt_at = 0 WHERE status = 'queued'")
    con.close()
    path, _, body, status = listener.wait(before + 2)
    assert status == 200
    logout_request = parse_qs(body)["logoutRequest"][0]
    assert shop.verify_logout_request(logout_request, ticket)
    assert len(listener.received) == before + 2
    deadline = time.time() + 5
    while time.time() < deadline and cas_app.query("SELECT status FROM http_outbox")[-1]["status"] != "sent":
        time.sleep(0.05)
    assert cas_app.query("SELECT status, attempts FROM http_outbox")[-1]["attempts"] == 2
    assert "back-channel: queued=0 sending=0 sent=1 failed=0" in cas_app.maintenance("--status").stdout


def test_operator_disable_and_delete_send_single_logout(cas_app, listener):
    shop = client(cas_app, SHOP)
    for action in ("disable", "delete"):
        address = create_account(cas_app, Browser(cas_app), first="Alan", last="Turing")
        browser = Browser(cas_app)
        ticket = ticket_of(cas_sign_in(browser, SHOP, address), SHOP)
        assert shop.verify_ticket(ticket)[0]
        before = len(listener.received)
        cas_app.run_cli("user", action, address)
        path, _, body, status = listener.wait(before + 1)  # sent by the running server's sender thread
        assert path == "/slo" and status == 200
        assert shop.verify_logout_request(parse_qs(body)["logoutRequest"][0], ticket)
        assert browser.get(login_url(cas_app, SHOP), allow_redirects=False).status_code == 200  # signed out


def test_sessions_page_shows_services_and_logs_out_other_sessions(cas_app, account):
    laptop, phone = Browser(cas_app), Browser(cas_app)
    ticket_of(cas_sign_in(laptop, WIKI, account), WIKI)
    ticket_of(cas_sign_in(phone, MAIL, account), MAIL)
    page = laptop.get("/account/sessions")
    assert page.status_code == 200 and laptop.ip in page.text and phone.ip in page.text
    assert "wiki: first" in page.text and "mail: first" in page.text and "this browser" in page.text
    done = laptop.post("/account/sessions/end-others", data={"csrf": laptop.csrf(page.text)})
    assert "All your other sessions have been logged out." in done.text and phone.ip not in done.text
    assert phone.get("/account", allow_redirects=False).status_code == 303
    assert laptop.get("/account", allow_redirects=False).status_code == 200
    assert laptop.post("/account/sessions/end-others", data={"csrf": "forged"}).status_code == 403


def test_post_hand_over_reaches_the_service_in_a_real_browser(cas_app, account, listener):
    """Chromium enforces the page's CSP: the widened form-action must let the form reach the service."""
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.common.by import By
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        pytest.skip("chromium and chromedriver are needed")
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=shutil.which("chromedriver")))
    # A click does not wait for the next page: look for its elements for a while.
    driver.implicitly_wait(10)
    try:
        landing = f"http://127.0.0.1:{listener.server_address[1]}/landing"
        before = len(listener.received)
        driver.get(login_url(cas_app, landing, method="POST"))
        driver.find_element(By.ID, "email").send_keys(account)
        driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        driver.find_element(By.ID, "password").send_keys(STRONG_PASSWORD)
        driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        path, content_type, body, _ = listener.wait(before + 1)
        assert path == "/landing" and content_type == "application/x-www-form-urlencoded"
        ticket = parse_qs(body)["ticket"][0]
        assert client(cas_app, landing).verify_ticket(ticket)[0]
    finally:
        driver.quit()


def test_sighup_reloads_the_services_and_keeps_them_when_the_file_is_broken(tmp_path):
    appliance = Appliance(tmp_path, extra_config=SERVICES.replace("{slo_port}", "9")).start()
    try:
        new = "https://new.example.test/"
        assert Browser(appliance).get(login_url(appliance, new), allow_redirects=False).status_code == 400
        good = appliance.config.read_text()
        appliance.config.write_text(good + f'\n[[service]]\nname = "new"\nprotocol = "cas"\nmatch = "{new}"\n')
        appliance.server.send_signal(signal.SIGHUP)
        deadline = time.time() + 5
        while Browser(appliance).get(login_url(appliance, new), allow_redirects=False).status_code != 200:
            assert time.time() < deadline, "the new service was not put in force"
            time.sleep(0.05)
        # A broken file changes nothing: the services in force stay, the server stays up.
        appliance.config.write_text(good + '\n[[service]]\nname = "broken"\nprotocol = "cas"\nmatch = "https://*.evil.test/"\n')
        appliance.server.send_signal(signal.SIGHUP)
        deadline = time.time() + 5
        while "reload refused" not in (tmp_path / "serve.log").read_text():
            assert time.time() < deadline, "the broken file was not reported"
            time.sleep(0.05)
        assert Browser(appliance).get(login_url(appliance, new), allow_redirects=False).status_code == 200
        assert Browser(appliance).get(login_url(appliance, WIKI), allow_redirects=False).status_code == 200
        assert appliance.server.poll() is None
    finally:
        appliance.stop()
