"""Hostile and broken input: 4xx answers, no crash, security headers, CSRF."""
import http.client
import socket

from conftest import Browser


def test_security_headers_everywhere(app, browser):
    for path in ("/login", "/register", "/nope"):
        response = browser.get(path)
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "<script>" not in browser.get("/login").text.replace('<script src="/static/app.js" defer></script>', "")


def test_post_without_csrf_is_refused(app, browser):
    browser.get("/login")
    response = browser.post("/login", data={"email": "a@example.org"})
    assert response.status_code == 403 and "limited time" in response.text


def test_csrf_token_from_another_browser_is_refused(app, browser):
    token = browser.csrf(browser.get("/login").text)
    other = Browser(app)
    other.get("/login")
    assert other.post("/login", data={"email": "a@example.org", "csrf": token}).status_code == 403


def test_malformed_input_is_answered_4xx(app, browser):
    html = browser.get("/login").text
    csrf = browser.csrf(html)
    bad_utf8 = browser.post("/login", data=b"email=%FF%FE&csrf=" + csrf.encode(),
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert bad_utf8.status_code == 400
    nul = browser.post("/login", data=b"email=a%00b&csrf=" + csrf.encode(),
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert nul.status_code == 400
    json_body = browser.post("/login", data=b'{"email":1}', headers={"Content-Type": "application/json"})
    assert json_body.status_code == 415
    many = "&".join(f"f{i}=x" for i in range(5000))
    assert browser.post("/login", data=many, headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code == 400
    big = browser.post("/login", data=b"x=" + b"a" * (2 * 1024 * 1024), headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert big.status_code == 413
    assert browser.get("/login", headers={"Cookie": "la_sso=" + "x" * 10000}).status_code in (200, 400)
    assert browser.get("/login", headers={"Cookie": "la_email=%%%; la_sso=\x7f"}).status_code == 200
    raw = http.client.HTTPConnection("127.0.0.1", app.port, timeout=10)
    raw.request("GET", "/password/set?token=%ZZ")
    assert raw.getresponse().status == 400
    raw.close()
    assert browser.get("/login?lang=../../etc/passwd").status_code == 200
    # Still serving.
    assert browser.get("/healthz").status_code == 200


def test_error_pages_leak_nothing(app, browser):
    for response in (browser.get("/no/such/page"), browser.post("/login", data={}), browser.put(app.base_url + "/login")):
        assert response.status_code in (403, 404, 405)
        for leak in (".swift", "SQLITE", "Fatal", "Stack"):
            assert leak not in response.text


def test_language_choice_by_parameter_cookie_and_header(app, browser):
    assert 'lang="fr"' in browser.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).text
    assert 'lang="de"' in browser.get("/login?lang=de").text
    assert 'lang="de"' in browser.get("/login").text  # remembered by cookie


def test_raw_garbage_on_the_socket_does_not_kill_workers(app):
    for payload in (b"GARBAGE\r\n\r\n", b"GET /login HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", b"\x00" * 100):
        with socket.create_connection(("127.0.0.1", app.port), timeout=5) as s:
            s.sendall(payload)
            try:
                s.recv(1000)
            except OSError:
                pass
    assert Browser(app).get("/healthz").status_code == 200
