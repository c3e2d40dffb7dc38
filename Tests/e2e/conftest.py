"""Black-box harness: the release binary behind a real nginx on loopback ports.

One appliance (with its own data folder, config and mail folder) is started per test session;
tests isolate themselves with fresh e-mail addresses and client addresses (X-Forwarded-For).
"""
import email
import email.policy
import hashlib
import itertools
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("APPLIANCE_BIN", str(ROOT / ".build/release/appliance"))
_ip_counter = itertools.count(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Appliance:
    """A running appliance + nginx, and helpers to drive and inspect it."""

    def __init__(self, workdir: Path, extra_config: str = "", captcha: str = "on", sms: str = "file://sms"):
        self.dir = workdir
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.config = workdir / "appliance.toml"
        self.mail_dir = workdir / "mail"
        self.sms_dir = workdir / "sms"
        self.socket = workdir / "appliance.sock"
        self.run_cli("init", "--base-url", self.base_url, "--templates", str(ROOT / "templates"),
                     "--share", str(ROOT / "share"), "--mail", "file://mail", "--sms", sms, "--captcha", captcha)
        text = self.config.read_text()
        text = text.replace('socket = "appliance.sock"', 'socket = "appliance.sock"\nsocket_mode = "0666"\nworkers = 8')
        self.config.write_text(text + extra_config)
        self.db_path = workdir / "appliance.sqlite"
        self.server = None
        self.nginx = None
        conf = subprocess.run([str(ROOT / "scripts/nginx-dev.sh"), str(workdir / "nginx"), str(self.port), str(self.socket)],
                              check=True, capture_output=True, text=True).stdout.strip()
        self.nginx_conf = conf

    def start(self):
        self.log = open(self.dir / "serve.log", "ab")
        self.server = subprocess.Popen([BIN, "serve", "--config", str(self.config)], stdout=self.log, stderr=self.log)
        if self.nginx is None:
            self.nginx = subprocess.Popen(["nginx", "-p", str(self.dir / "nginx"), "-c", self.nginx_conf, "-g", "daemon off;"],
                                          stdout=self.log, stderr=self.log)
        self.wait_ready()
        return self

    def wait_ready(self, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if requests.get(self.base_url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise RuntimeError("appliance did not become ready; see " + str(self.dir / "serve.log"))

    def stop_server(self, sig=signal.SIGTERM, timeout=10):
        if self.server and self.server.poll() is None:
            self.server.send_signal(sig)
            self.server.wait(timeout=timeout)
        return self.server.returncode if self.server else None

    def stop(self):
        self.stop_server()
        if self.nginx and self.nginx.poll() is None:
            self.nginx.terminate()
            self.nginx.wait(timeout=10)

    # --- command line -------------------------------------------------------------------
    bin = BIN

    def cli_command(self, *args):
        return [BIN, *args, "--config", str(self.config)]

    def run_cli(self, *args, input=None, check=True, timeout=60):
        return subprocess.run(self.cli_command(*args), input=input, capture_output=True,
                              text=True, check=check, timeout=timeout)

    def maintenance(self, *args, check=True):
        return self.run_cli("maintenance", *args, check=check)

    # --- inspection ----------------------------------------------------------------------
    def db(self):
        con = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=10)
        con.row_factory = sqlite3.Row
        return con

    def query(self, sql, *args):
        with self.db() as con:
            return con.execute(sql, args).fetchall()

    def mails(self, to=None):
        """Every delivered message (optionally only those to `to`), oldest first."""
        if not self.mail_dir.exists():
            return []
        found = []
        for path in sorted(self.mail_dir.glob("*.eml"), key=lambda p: p.stat().st_mtime):
            msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if to is None or to.lower() in str(msg["To"]).lower():
                found.append(msg)
        return found

    def wait_mail(self, to, subject_contains="", count=1, timeout=10):
        """Waits for the sender thread to deliver `count` matching messages; returns the newest."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            matching = [m for m in self.mails(to) if subject_contains.lower() in str(m["Subject"]).lower()]
            if len(matching) >= count:
                return matching[-1]
            time.sleep(0.1)
        raise AssertionError(f"no mail to {to} with subject containing {subject_contains!r}; have: "
                             + ", ".join(str(m["Subject"]) for m in self.mails(to)))

    def sms(self, to=None):
        """Every text message the file transport wrote (optionally only those to `to`), oldest first."""
        if not self.sms_dir.exists():
            return []
        found = [json.loads(p.read_text()) for p in sorted(self.sms_dir.glob("*.json"), key=lambda p: p.stat().st_mtime_ns)]
        return [m for m in found if to is None or m["to"] == to]

    def wait_sms(self, to, count=1, timeout=10):
        """Waits for the sender thread to deliver `count` messages to `to`; returns the newest."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            found = self.sms(to)
            if len(found) >= count:
                return found[-1]
            time.sleep(0.1)
        raise AssertionError(f"no SMS to {to}; have: {self.sms()}")

    @staticmethod
    def text_of(msg):
        return msg.get_body(preferencelist=("plain",)).get_content()

    def link_in(self, msg):
        match = re.search(r"https?://\S+token=[A-Za-z0-9_-]+", self.text_of(msg))
        assert match, "no link in mail"
        return match.group(0)

    def captcha_answer(self, captcha_id):
        digest = hashlib.sha256(captcha_id.encode()).digest()
        rows = self.query("SELECT answer FROM captcha WHERE id_hash = ?", digest)
        return rows[0]["answer"] if rows else None


class Browser(requests.Session):
    """A client with its own cookie jar and its own client address."""

    def __init__(self, app: Appliance):
        super().__init__()
        self.app = app
        self.ip = f"10.{next(_ip_counter) // 250 % 250}.{next(_ip_counter) % 250}.{uuid.uuid4().int % 250 + 1}"
        self.headers["X-Forwarded-For"] = self.ip
        self.headers["User-Agent"] = "e2e-tests"

    def url(self, path):
        return path if path.startswith("http") else self.app.base_url + path

    def get(self, path, **kw):
        kw.setdefault("allow_redirects", True)
        return super().get(self.url(path), **kw)

    def post(self, path, data=None, **kw):
        kw.setdefault("allow_redirects", True)
        return super().post(self.url(path), data=data, **kw)

    def csrf(self, page_html):
        match = re.search(r'name="csrf" value="([^"]+)"', page_html)
        assert match, "page has no CSRF field"
        return match.group(1)

    def form(self, path, data, page=None):
        """Loads `page` (default `path`) for its CSRF token, then posts `data` to `path`."""
        html = self.get(page or path).text
        return self.post(path, data={**data, "csrf": self.csrf(html)})


def fresh_email(tag="user"):
    return f"{tag}-{uuid.uuid4().hex[:10]}@example.org"


STRONG_PASSWORD = "Correct-Horse-42-battery"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    appliance = Appliance(tmp_path_factory.mktemp("appliance")).start()
    yield appliance
    appliance.stop()


@pytest.fixture
def browser(app):
    return Browser(app)


def register(browser, email_address, first="Ada", last="Lovelace", lang="en"):
    """Fills in the registration form (solving the CAPTCHA like a person would) and returns the response."""
    html = browser.get("/register").text
    data = {"first_name": first, "last_name": last, "email": email_address, "email_confirm": email_address,
            "email_lang": lang, "privacy": "yes", "csrf": browser.csrf(html)}
    match = re.search(r'name="captcha_id" value="([^"]+)"', html)
    if match:
        data["captcha_id"] = match.group(1)
        data["captcha"] = browser.app.captcha_answer(match.group(1))
    return browser.post("/register", data=data)


def create_account(app, browser, email_address=None, password=STRONG_PASSWORD, **names):
    """Registration → mail → link → password, through the web pages; returns the e-mail address."""
    email_address = email_address or fresh_email()
    response = register(browser, email_address, **names)
    assert response.status_code == 200, response.text
    link = app.link_in(app.wait_mail(email_address, "password"))
    html = browser.get(link).text
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    done = browser.post("/password/set", data={"token": token, "password": password, "password_confirm": password,
                                               "csrf": browser.csrf(html)})
    assert done.status_code == 200, done.text
    return email_address


def sign_in(browser, email_address, password=STRONG_PASSWORD):
    browser.form("/login", {"email": email_address})
    html = browser.get("/login").text
    return browser.post("/login", data={"email": email_address, "password": password, "method": "password",
                                        "csrf": browser.csrf(html)})
