"""CAS proxy authentication with python-cas: a PGT delivered to an HTTPS callback whose certificate
is checked against [cas] ca_file, then proxy tickets for another service."""
import re
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from cas import CASClient

from conftest import Appliance, Browser, create_account
from test_cas import cas_sign_in, ticket_of

PORTAL = "https://portal.example.test/"
MAIL = "https://mail.example.test/"


class CallbackServer(ThreadingHTTPServer):
    """A service's HTTPS proxy callback: remembers each pgtIou → pgtId and answers 200."""

    def __init__(self, cert, key):
        self.tickets = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                query = parse_qs(urlsplit(self.path).query)
                if "pgtIou" in query:
                    outer.tickets[query["pgtIou"][0]] = query["pgtId"][0]
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.socket = context.wrap_socket(self.socket, server_side=True)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self):
        return self.server_address[1]


def self_signed(folder, name):
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return str(cert), str(key)


@pytest.fixture(scope="module")
def callbacks(tmp_path_factory):
    folder = tmp_path_factory.mktemp("certs")
    trusted = CallbackServer(*self_signed(folder, "trusted"))
    untrusted = CallbackServer(*self_signed(folder, "untrusted"))
    yield trusted, untrusted, folder / "trusted.pem"
    trusted.shutdown()
    untrusted.shutdown()


@pytest.fixture(scope="module")
def proxy_app(tmp_path_factory, callbacks):
    trusted, untrusted, ca_file = callbacks
    config = f"""
[cas]
ca_file = "{ca_file}"

[[service]]
name = "portal"
protocol = "cas"
match = "{PORTAL}"
proxy_callback = ["https://127.0.0.1:{trusted.port}/pgt*", "https://127.0.0.1:{untrusted.port}/pgt*"]

[[service]]
name = "mail"
protocol = "cas"
match = "{MAIL}"
"""
    appliance = Appliance(tmp_path_factory.mktemp("cas-proxy"), extra_config=config).start()
    yield appliance
    appliance.stop()


@pytest.fixture(scope="module")
def account(proxy_app):
    return create_account(proxy_app, Browser(proxy_app))


def portal_ticket(app, account):
    return ticket_of(cas_sign_in(Browser(app), PORTAL, account), PORTAL)


def test_proxy_granting_ticket_then_proxy_tickets_for_another_service(proxy_app, account, callbacks):
    trusted, _, _ = callbacks
    callback = f"https://127.0.0.1:{trusted.port}/pgt/callback"
    portal = CASClient(version=2, service_url=PORTAL, server_url=proxy_app.base_url + "/", proxy_callback=callback)
    user, _, iou = portal.verify_ticket(portal_ticket(proxy_app, account))
    assert user and iou and iou.startswith("PGTIOU-")
    pgt = trusted.tickets[iou]
    mail = CASClient(version=2, service_url=MAIL, server_url=proxy_app.base_url + "/")
    proxy_ticket = mail.get_proxy_ticket(pgt)
    assert proxy_ticket.startswith("PT-")
    answer = requests.get(proxy_app.base_url + "/p3/proxyValidate", params={"service": MAIL, "ticket": proxy_ticket}).text
    assert f"<cas:user>{user}</cas:user>" in answer and f"<cas:proxy>{callback}</cas:proxy>" in answer
    replay = requests.get(proxy_app.base_url + "/proxyValidate", params={"service": MAIL, "ticket": proxy_ticket}).text
    assert 'code="INVALID_TICKET"' in replay
    # A proxy ticket is no service ticket.
    another = mail.get_proxy_ticket(pgt)
    refused = requests.get(proxy_app.base_url + "/serviceValidate", params={"service": MAIL, "ticket": another}).text
    assert 'code="INVALID_TICKET_SPEC"' in refused
    unknown = requests.get(proxy_app.base_url + "/proxy", params={"pgt": pgt, "targetService": "https://evil.test/"}).text
    assert '<cas:proxyFailure code="UNAUTHORIZED_SERVICE">' in unknown
    stored = proxy_app.query("SELECT * FROM proxy_granting_ticket")
    assert all(pgt not in [str(v) for v in tuple(row)] for row in stored)


def test_callback_with_an_untrusted_certificate_gets_no_proxy_granting_ticket(proxy_app, account, callbacks):
    _, untrusted, _ = callbacks
    callback = f"https://127.0.0.1:{untrusted.port}/pgt/callback"
    portal = CASClient(version=2, service_url=PORTAL, server_url=proxy_app.base_url + "/", proxy_callback=callback)
    user, _, iou = portal.verify_ticket(portal_ticket(proxy_app, account))
    assert user and iou is None and untrusted.tickets == {}


def test_unregistered_callback_and_non_proxying_service_are_refused(proxy_app, account, callbacks):
    trusted, _, _ = callbacks
    ticket = portal_ticket(proxy_app, account)
    answer = requests.get(proxy_app.base_url + "/serviceValidate",
                          params={"service": PORTAL, "ticket": ticket, "pgtUrl": f"https://127.0.0.1:{trusted.port}/other"}).text
    assert 'code="INVALID_PROXY_CALLBACK"' in answer
    browser = Browser(proxy_app)
    mail_ticket = ticket_of(cas_sign_in(browser, MAIL, account), MAIL)
    answer = requests.get(proxy_app.base_url + "/serviceValidate",
                          params={"service": MAIL, "ticket": mail_ticket, "pgtUrl": f"https://127.0.0.1:{trusted.port}/pgt"}).text
    assert 'code="UNAUTHORIZED_SERVICE_PROXY"' in answer
    assert re.search(r"PGTIOU", answer) is None


def test_plain_http_callback_is_refused(proxy_app, account, callbacks):
    trusted, _, _ = callbacks
    ticket = portal_ticket(proxy_app, account)
    answer = requests.get(proxy_app.base_url + "/serviceValidate",
                          params={"service": PORTAL, "ticket": ticket, "pgtUrl": f"http://127.0.0.1:{trusted.port}/pgt"}).text
    assert 'code="INVALID_PROXY_CALLBACK"' in answer
    assert "PGTIOU" not in answer
