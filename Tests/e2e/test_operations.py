"""Operators' side: the CLI, backups, graceful stop, and mail delivery by `maintenance`
(concurrent runs, a run killed half-way) against a real SMTP server."""
import json
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT, STRONG_PASSWORD, Appliance, Browser, fresh_email, register, sign_in


class SMTPSink:
    def __init__(self, directory: Path, *args):
        directory.mkdir(parents=True, exist_ok=True)
        self.dir = directory
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "Tests/e2e/support/smtp_sink.py"), "0", str(directory), *args],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline())

    def messages(self):
        return [json.loads(p.read_text()) for p in sorted(self.dir.glob("*.json"))]

    def message_ids(self):
        ids = []
        for path in self.dir.glob("*.eml"):
            for line in path.read_text(errors="replace").splitlines():
                if line.lower().startswith("message-id:"):
                    ids.append(line.split(":", 1)[1].strip())
        return ids

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def queue_mails(app, count):
    """Registers `count` people through the web pages; each registration queues one mail."""
    addresses = []
    for _ in range(count):
        address = fresh_email("queued")
        assert register(Browser(app), address).status_code == 200
        addresses.append(address)
    return addresses


def make_all_due(app):
    con = sqlite3.connect(app.db_path, timeout=10)
    with con:
        con.execute("UPDATE mail_outbox SET next_attempt_at = 0, lease_until = CASE WHEN status = 'sending' THEN 0 ELSE lease_until END "
                    "WHERE status IN ('queued', 'sending')")
    con.close()


@pytest.fixture
def smtp_app(tmp_path):
    """An appliance whose mail goes to an SMTP server that is not there yet: the sender thread's
    attempts fail and wait, as when a mail server is down."""
    from conftest import free_port
    smtp_port = free_port()
    app = Appliance(tmp_path / "app", extra_config="")
    text = app.config.read_text().replace('transport = "file://mail"', f'transport = "smtp://127.0.0.1:{smtp_port}?tls=none"')
    app.config.write_text(text)
    app.start()
    app.smtp_port = smtp_port
    yield app
    app.stop()


def test_server_loads_libcurl_on_its_first_delivery_and_never_libxml2(smtp_app):
    """Neither library is linked into the binary: a server that has sent nothing has not mapped them (nor the
    libraries they bring), and its sender thread's first attempt loads libcurl."""
    def mapped(library):
        return any(line.split()[-1].split("/")[-1].startswith(library + ".so")
                   for line in Path(f"/proc/{smtp_app.server.pid}/maps").read_text().splitlines())

    assert not mapped("libcurl") and not mapped("libxml2") and not mapped("libgnutls")
    queue_mails(smtp_app, 1)
    deadline = time.time() + 10
    while not mapped("libcurl") and time.time() < deadline:
        time.sleep(0.05)
    assert mapped("libcurl")
    assert not mapped("libxml2")


def test_concurrent_maintenance_runs_send_each_mail_exactly_once(smtp_app, tmp_path):
    addresses = queue_mails(smtp_app, 12)
    smtp_app.stop_server()
    status = smtp_app.maintenance("--status").stdout
    assert "queued=12" in status, status
    sink = SMTPSink(tmp_path / "sink", "--delay", "0.05")
    # The sink listens on a port of its own choosing; point the config at it.
    smtp_app.config.write_text(smtp_app.config.read_text().replace(f"127.0.0.1:{smtp_app.smtp_port}", f"127.0.0.1:{sink.port}"))
    make_all_due(smtp_app)
    runs = [subprocess.Popen([*smtp_app.cli_command("maintenance")], stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)]
    for run in runs:
        assert run.wait(timeout=120) == 0, run.stderr.read()
    ids = sink.message_ids()
    assert len(ids) == 12 and len(set(ids)) == 12
    assert sorted(m["rcpt_tos"][0] for m in sink.messages()) == sorted(addresses)
    assert "queued=0 sending=0 sent=12 failed=0" in smtp_app.maintenance("--status").stdout
    sink.stop()


def test_killed_maintenance_loses_nothing(smtp_app, tmp_path):
    queue_mails(smtp_app, 10)
    smtp_app.stop_server()
    sink = SMTPSink(tmp_path / "sink", "--delay", "0.3")
    smtp_app.config.write_text(smtp_app.config.read_text().replace(f"127.0.0.1:{smtp_app.smtp_port}", f"127.0.0.1:{sink.port}"))
    make_all_due(smtp_app)
    run = subprocess.Popen(smtp_app.cli_command("maintenance"), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 30
    while len(sink.message_ids()) < 3 and time.time() < deadline:
        time.sleep(0.05)
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=10)
    delivered_before = len(sink.message_ids())
    assert 3 <= delivered_before < 10
    # The killed run's claims are held by their lease; once it runs out they are due again.
    make_all_due(smtp_app)
    smtp_app.maintenance()
    ids = sink.message_ids()
    assert len(set(ids)) == 10  # nothing lost
    # At most the one message in flight at the kill can arrive twice (SMTP has no exactly-once handshake).
    assert len(ids) - len(set(ids)) <= 1
    assert "queued=0 sending=0 sent=10 failed=0" in smtp_app.maintenance("--status").stdout
    assert smtp_app.query("PRAGMA integrity_check")[0][0] == "ok"
    sink.stop()


def test_failing_mail_is_retried_then_marked_failed(smtp_app, tmp_path):
    address = queue_mails(smtp_app, 1)[0]
    smtp_app.stop_server()
    sink = SMTPSink(tmp_path / "sink", "--reject-rcpt", address)
    smtp_app.config.write_text(smtp_app.config.read_text().replace(f"127.0.0.1:{smtp_app.smtp_port}", f"127.0.0.1:{sink.port}"))
    make_all_due(smtp_app)
    smtp_app.maintenance()
    status = smtp_app.maintenance("--status").stdout
    assert "failed=1" in status and address in status
    sink.stop()


def test_cli_manages_accounts(app):
    address = fresh_email("cli")
    weak = app.run_cli("user", "add", address, "--first-name", "Ada", "--last-name", "Lovelace", input="password\n", check=False)
    assert weak.returncode != 0 and "password refused" in weak.stderr
    app.run_cli("user", "add", address, "--first-name", "Ada", "--last-name", "Lovelace", input=STRONG_PASSWORD + "\n")
    assert address in app.run_cli("user", "list").stdout
    assert "You are signed in" in sign_in(Browser(app), address).text
    shown = app.run_cli("user", "show", address).stdout
    assert "status:           active" in shown and "sign_in" in shown
    app.run_cli("user", "disable", address)
    assert sign_in(Browser(app), address).status_code == 401
    app.run_cli("user", "delete", address)
    assert address not in app.run_cli("user", "list").stdout
    missing = app.run_cli("user", "delete", address, check=False)
    assert missing.returncode != 0


def test_check_reports_every_problem(app, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[server]\nbase_url = "ftp://x"\nworkers = 0\nbogus = 1\n[mail]\nfrom = "not-an-address"\n[organisation]\nprimary_color = "#ffff00"\n[nonsense]\n')
    result = subprocess.run([app.bin, "check", "--config", str(bad)], capture_output=True, text=True)
    assert result.returncode != 0
    for key in ("server.base_url", "server.workers", "server.bogus", "mail.from", "organisation.primary_color", "nonsense"):
        assert key in result.stdout, result.stdout
    assert "too light for white text" in result.stdout
    for colour, accepted in (("#1D4F91", True), ("#1d4f9", False), ("1d4f91a", False), ("#1d4f9g", False), ("#１d4f91", False)):
        bad.write_text(f'[organisation]\nprimary_color = "{colour}"\n')
        result = subprocess.run([app.bin, "check", "--config", str(bad)], capture_output=True, text=True)
        assert ("must look like #1d4f91" not in result.stdout) == accepted, (colour, result.stdout)


def test_backup_while_serving_is_consistent(app, tmp_path):
    stop = threading.Event()

    def load():
        browser = Browser(app)
        while not stop.is_set():
            browser.get("/login")
            register(browser, fresh_email("backup"))

    worker = threading.Thread(target=load)
    worker.start()
    try:
        time.sleep(0.5)
        target = tmp_path / "copy.sqlite"
        app.run_cli("backup", str(target))
    finally:
        stop.set()
        worker.join(timeout=30)
    con = sqlite3.connect(target)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT COUNT(*) FROM account").fetchone()[0] > 0
    con.close()
    assert target.stat().st_mode & 0o077 == 0
    again = app.run_cli("backup", str(target), check=False)
    assert again.returncode != 0


def test_sigterm_stops_within_five_seconds_and_restarts(tmp_path):
    app = Appliance(tmp_path / "stop").start()
    try:
        browsers = [Browser(app) for _ in range(4)]
        for b in browsers:  # leave kept-alive upstream connections open in nginx
            assert b.get("/login").status_code == 200
        started = time.time()
        code = app.stop_server(signal.SIGTERM, timeout=10)
        assert code == 0 and time.time() - started < 5
        app.start()
        assert Browser(app).get("/login").status_code == 200
        started = time.time()
        assert app.stop_server(signal.SIGINT, timeout=10) == 0 and time.time() - started < 5
    finally:
        app.stop()


def test_imported_leaked_passwords_are_refused(app, tmp_path):
    import hashlib
    plain, hashed = "Unusual-Plain-Secret-93", "Unusual-Hashed-Secret-94"
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(f"{plain}\n{hashlib.sha1(hashed.encode()).hexdigest().upper()}:42\n")
    result = app.run_cli("passwords", "import", str(corpus))
    assert "leaked passwords" in result.stdout
    # The running server loads the list at start: restart it to pick up the new one.
    app.stop_server()
    app.start()
    for password in (plain, hashed):
        address = fresh_email("leaked")
        refused = app.run_cli("user", "add", address, "--first-name", "Ada", "--last-name", "Lovelace", input=password + "\n", check=False)
        assert refused.returncode != 0 and "leaked" in refused.stderr
    assert app.run_cli("user", "add", fresh_email("fine"), "--first-name", "Ada", "--last-name", "Lovelace",
                       input="Quiet-Harbour-Lamp-95\n").returncode == 0
