"""Apache httpd with mod_auth_cas protecting a static page, signed in through the appliance."""
import html
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

from conftest import STRONG_PASSWORD, Appliance, Browser, create_account, free_port

APACHE = "/usr/sbin/apache2"
MODULES = Path("/usr/lib/apache2/modules")


@pytest.fixture(scope="module")
def apache_setup():
    if not (Path(APACHE).exists() and (MODULES / "mod_auth_cas.so").exists()):
        pytest.skip("apache2 and libapache2-mod-auth-cas are needed")
    # Apache's workers run as an unprivileged user, who cannot enter pytest's private folders.
    root = Path(tempfile.mkdtemp(prefix="appliance-apache-"))
    os.chmod(root, 0o755)
    port = free_port()
    (root / "htdocs/protected").mkdir(parents=True)
    (root / "htdocs/protected/index.html").write_text("<!DOCTYPE html><title>secret</title><p>The protected page.</p>\n")
    cookies = root / "cas_cookies"
    cookies.mkdir()
    os.chmod(cookies, 0o777)
    yield root, port
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def cas_app(tmp_path_factory, apache_setup):
    _, port = apache_setup
    config = f"""
[[service]]
name = "apache"
protocol = "cas"
match = "http://127.0.0.1:{port}/protected/*"
"""
    appliance = Appliance(tmp_path_factory.mktemp("cas-apache"), extra_config=config).start()
    yield appliance
    appliance.stop()


@pytest.fixture(scope="module")
def apache(apache_setup, cas_app):
    root, port = apache_setup
    user = "nobody" if os.getuid() == 0 else None
    modules = ["mpm_event", "authz_core", "authz_user", "authn_core", "auth_cas", "mime", "dir"]
    lines = [f"LoadModule {name}_module {MODULES}/mod_{name}.so" for name in modules]
    lines += [
        f"ServerRoot {root}", f"Listen 127.0.0.1:{port}", "ServerName 127.0.0.1", f"PidFile {root}/httpd.pid",
        f"ErrorLog {root}/error.log", f'CustomLog {root}/access.log "%u %r %>s"', f"DocumentRoot {root}/htdocs",
        "TypesConfig /etc/mime.types", "LogLevel warn auth_cas:debug",
        f"CASCookiePath {root}/cas_cookies/", f"CASLoginURL {cas_app.base_url}/login",
        f"CASValidateURL {cas_app.base_url}/p3/serviceValidate", "CASVersion 2", "CASDebug On",
        "<Directory />", "  AllowOverride None", "</Directory>",
        f'<Directory "{root}/htdocs">', "  Require all granted", "</Directory>",
        "<Location /protected>", "  AuthType CAS", "  Require valid-user", "</Location>",
    ]
    if user:
        lines += [f"User {user}", "Group nogroup"]
    (root / "httpd.conf").write_text("\n".join(lines) + "\n")
    env = {**os.environ, "APACHE_RUN_DIR": str(root), "APACHE_LOCK_DIR": str(root), "APACHE_LOG_DIR": str(root)}
    process = subprocess.Popen([APACHE, "-f", str(root / "httpd.conf"), "-DFOREGROUND"], env=env,
                               stdout=open(root / "stdout.log", "wb"), stderr=subprocess.STDOUT)
    deadline = time.time() + 10
    while True:
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=1)
            break
        except requests.RequestException:
            if process.poll() is not None or time.time() > deadline:
                process.kill()
                logs = [(root / name).read_text() for name in ("stdout.log", "error.log") if (root / name).exists()]
                pytest.fail("apache did not start: " + "\n".join(logs))
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}", root
    process.terminate()
    process.wait(timeout=10)


def test_mod_auth_cas_signs_in_through_the_appliance(cas_app, apache):
    base, root = apache
    account = create_account(cas_app, Browser(cas_app), first="Ada", last="Byron")
    browser = Browser(cas_app)
    first = browser.get(base + "/protected/index.html", allow_redirects=False)
    assert first.status_code == 302 and first.headers["Location"].startswith(cas_app.base_url + "/login?service=")
    login = browser.get(first.headers["Location"])
    service = html.unescape(re.search(r'name="service" value="([^"]+)"', login.text).group(1))
    assert service == f"{base}/protected/index.html"
    step = browser.post("/login", data={"email": account, "service": service, "csrf": browser.csrf(login.text)})
    done = browser.post("/login", data={"email": account, "password": STRONG_PASSWORD, "method": "password",
                                        "service": service, "csrf": browser.csrf(step.text)})
    assert done.status_code == 200 and "The protected page." in done.text, (root / "error.log").read_text()
    uid = cas_app.query("SELECT uid FROM account WHERE email = ?", account)[0]["uid"]
    assert f"{uid} GET /protected/index.html HTTP/1.1 200" in (root / "access.log").read_text()
    # Signed in at the service now: no second trip to the appliance.
    again = browser.get(base + "/protected/index.html", allow_redirects=False)
    assert again.status_code == 200 and "The protected page." in again.text
