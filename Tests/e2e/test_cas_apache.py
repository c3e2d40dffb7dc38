"""Apache httpd with mod_auth_cas protecting two locations: one sign-in, attributes, single logout."""
import html
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from conftest import STRONG_PASSWORD, Appliance, Browser, create_account, free_port

APACHE = "/usr/sbin/apache2"
MODULES = Path("/usr/lib/apache2/modules")
# mod_include shows what mod_auth_cas put into the request: the user and the released attributes.
# Apache 2.4 drops request headers with "_" in their names from the environment, so the prefix is "CAS-".
PAGE = """<!DOCTYPE html><title>secret</title><p>The {name} page.</p>
<p>user=<!--#echo var="REMOTE_USER" --></p>
<p>email=<!--#echo var="HTTP_CAS_EMAIL" --></p>
<p>first=<!--#echo var="HTTP_CAS_FIRSTNAME" --></p>
<p>last=<!--#echo var="HTTP_CAS_LASTNAME" --></p>
"""


@pytest.fixture(scope="module")
def apache_setup():
    if not (Path(APACHE).exists() and (MODULES / "mod_auth_cas.so").exists()):
        pytest.skip("apache2 and libapache2-mod-auth-cas are needed")
    # Apache's workers run as an unprivileged user, who cannot enter pytest's private folders.
    root = Path(tempfile.mkdtemp(prefix="appliance-apache-"))
    os.chmod(root, 0o755)
    port = free_port()
    for name in ("protected", "other"):
        (root / "htdocs" / name).mkdir(parents=True)
        (root / "htdocs" / name / "index.shtml").write_text(PAGE.format(name=name))
    cookies = root / "cas_cookies"
    cookies.mkdir()
    os.chmod(cookies, 0o777)
    yield root, port
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def cas_app(tmp_path_factory, apache_setup):
    _, port = apache_setup
    config = "".join(f"""
[[service]]
name = "{name}"
protocol = "cas"
match = "http://127.0.0.1:{port}/{name}/*"
attributes = ["email", "firstName", "lastName"]
logout_url = "http://127.0.0.1:{port}/{name}/"
""" for name in ("protected", "other"))
    appliance = Appliance(tmp_path_factory.mktemp("cas-apache"), extra_config=config).start()
    yield appliance
    appliance.stop()


@pytest.fixture(scope="module")
def apache(apache_setup, cas_app):
    root, port = apache_setup
    user = "nobody" if os.getuid() == 0 else None
    modules = ["mpm_event", "authz_core", "authz_user", "authn_core", "auth_cas", "mime", "dir", "include"]
    lines = [f"LoadModule {name}_module {MODULES}/mod_{name}.so" for name in modules]
    lines += [
        f"ServerRoot {root}", f"Listen 127.0.0.1:{port}", "ServerName 127.0.0.1", f"PidFile {root}/httpd.pid",
        f"ErrorLog {root}/error.log", f'CustomLog {root}/access.log "%u %r %>s"', f"DocumentRoot {root}/htdocs",
        "TypesConfig /etc/mime.types", "LogLevel warn auth_cas:debug", "DirectoryIndex index.shtml",
        "AddType text/html .shtml", "AddOutputFilter INCLUDES .shtml",
        f"CASCookiePath {root}/cas_cookies/", f"CASLoginURL {cas_app.base_url}/login",
        f"CASValidateURL {cas_app.base_url}/p3/serviceValidate", "CASVersion 2", "CASValidateSAML Off",
        "CASSSOEnabled On", "CASAttributePrefix CAS-", "CASDebug On",
        "<Directory />", "  AllowOverride None", "</Directory>",
        f'<Directory "{root}/htdocs">', "  Options +Includes", "  Require all granted", "</Directory>",
    ]
    for name in ("protected", "other"):
        # mod_auth_cas sets the attribute headers only when CASAuthNHeader is set too.
        lines += [f"<Location /{name}>", "  AuthType CAS", "  CASAuthNHeader CAS-User", "  Require valid-user",
                  "</Location>"]
    if user:
        lines += [f"User {user}", "Group nogroup"]
    (root / "httpd.conf").write_text("\n".join(lines) + "\n")
    env = {**os.environ, "APACHE_RUN_DIR": str(root), "APACHE_LOCK_DIR": str(root), "APACHE_LOG_DIR": str(root)}
    process = subprocess.Popen([APACHE, "-f", str(root / "httpd.conf"), "-DFOREGROUND"], env=env,
                               stdout=open(root / "stdout.log", "wb"), stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 10
        while True:
            try:
                requests.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except requests.RequestException:
                if process.poll() is not None or time.time() > deadline:
                    logs = [(root / name).read_text() for name in ("stdout.log", "error.log") if (root / name).exists()]
                    pytest.fail("apache did not start: " + "\n".join(logs))
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", root
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def sends_to_login(response, app, service):
    """mod_auth_cas's redirect to the appliance's /login for `service` (it escapes in lower-case hex)."""
    location = response.headers.get("Location", "")
    return (response.status_code == 302 and location.startswith(app.base_url + "/login?")
            and parse_qs(urlsplit(location).query) == {"service": [service]})


def wait_for(predicate, what, timeout=5):
    deadline = time.time() + timeout
    while not predicate():
        assert time.time() < deadline, what() if callable(what) else what
        time.sleep(0.05)


def test_one_sign_in_two_services_attributes_and_single_logout(cas_app, apache):
    base, root = apache
    error_log = lambda: (root / "error.log").read_text()  # noqa: E731
    access_log = lambda: (root / "access.log").read_text()  # noqa: E731 (written just after each answer)
    account = create_account(cas_app, Browser(cas_app), first="Ada", last="Byron")
    uid = cas_app.query("SELECT uid FROM account WHERE email = ?", account)[0]["uid"]
    shown = [f"user={uid}", f"email={html.escape(account)}", "first=Ada", "last=Byron"]
    browser = Browser(cas_app)

    # (1) The first protected page sends the browser to the appliance, which asks it to sign in.
    first = browser.get(base + "/protected/index.shtml", allow_redirects=False)
    assert sends_to_login(first, cas_app, base + "/protected/index.shtml"), first.headers
    login = browser.get(first.headers["Location"])
    service = html.unescape(re.search(r'name="service" value="([^"]+)"', login.text).group(1))
    assert service == f"{base}/protected/index.shtml"
    step = browser.post("/login", data={"email": account, "service": service, "csrf": browser.csrf(login.text)})
    done = browser.post("/login", data={"email": account, "password": STRONG_PASSWORD, "method": "password",
                                        "service": service, "csrf": browser.csrf(step.text)})
    assert done.status_code == 200 and "The protected page." in done.text, error_log()
    # (3) The released attributes reach the page through mod_auth_cas's request headers.
    for expected in shown:
        assert expected in done.text, done.text
    wait_for(lambda: f"{uid} GET /protected/index.shtml HTTP/1.1 200" in access_log(), access_log)
    assert browser.get(base + "/protected/", allow_redirects=False).status_code == 200  # Apache's own session now

    # (2) The second service: the appliance's session cookie gets a ticket at once, no form in between.
    other = browser.get(base + "/other/", allow_redirects=False)
    assert sends_to_login(other, cas_app, base + "/other/"), other.headers
    straight = browser.get(other.headers["Location"], allow_redirects=False)  # the /login answer itself
    assert straight.status_code == 303 and 'name="password"' not in straight.text and 'name="email"' not in straight.text
    assert re.fullmatch(re.escape(base + "/other/?ticket=") + "ST-[A-Za-z0-9]{40}", straight.headers["Location"])
    other_ticket = parse_qs(urlsplit(straight.headers["Location"]).query)["ticket"][0]
    landed = browser.get(straight.headers["Location"])
    assert landed.status_code == 200 and "The other page." in landed.text, error_log()
    assert all(r.url.startswith(base) for r in landed.history)  # only Apache's own redirect removing the ticket
    for expected in shown:
        assert expected in landed.text, landed.text
    wait_for(lambda: f"{uid} GET /other/ HTTP/1.1 200" in access_log(), access_log)
    assert f"MOD_AUTH_CAS: attribute email={account}" in error_log()
    session_id = cas_app.query("SELECT session_id FROM session_service WHERE service = 'other'")[0][0]
    visited = cas_app.query("SELECT service FROM session_service WHERE session_id = ? ORDER BY service", session_id)
    assert [row["service"] for row in visited] == ["other", "protected"]

    # (4) Logout at the appliance: a back-channel logoutRequest to each service, honoured by mod_auth_cas.
    assert "You are logged out" in browser.get("/logout").text
    wait_for(lambda: error_log().count("SAML Logout Request") >= 2, error_log)
    wait_for(lambda: error_log().count("entering expireCASST") >= 2, error_log)
    assert f"Expiring service ticket '{other_ticket}'" in error_log()  # the SessionIndex is the ticket it validated
    wait_for(lambda: "- POST /protected/ HTTP/1.1" in access_log() and "- POST /other/ HTTP/1.1" in access_log(),
             access_log)
    for page in ("/protected/index.shtml", "/other/"):
        denied = browser.get(base + page, allow_redirects=False)
        assert sends_to_login(denied, cas_app, base + page), (page, denied.status_code, error_log())
        # The appliance's session is gone too: the sign-in form again, no ticket.
        again = browser.get(denied.headers["Location"], allow_redirects=False)
        assert again.status_code == 200 and "Location" not in again.headers and 'action="/login"' in again.text
        assert f'name="service" value="{base + page}"' in again.text
    # mod_auth_cas answers the honoured back-channel POST like any other cookie-less visitor: 302 to /login.
    # That answer still means "received", so both logout requests are done, not queued for retry.
    wait_for(lambda: cas_app.query("SELECT COUNT(*) FROM http_outbox WHERE status = 'sent'")[0][0] >= 2,
             lambda: str([dict(r) for r in cas_app.query("SELECT status, last_error FROM http_outbox")]))
