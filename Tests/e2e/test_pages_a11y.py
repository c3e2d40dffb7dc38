"""The pages in a real headless Chromium: axe-core finds no violation, the console stays clean,
nothing scrolls sideways on a phone, and the JavaScript enhancements work.

One Chromium for the whole module; a PNG of every page checked is kept under pytest's temporary
folder (the path is printed; set A11Y_SCREENSHOTS=/some/dir to choose it).
"""
import base64
import json
import os
import shutil
import uuid
from pathlib import Path

import pytest

from conftest import STRONG_PASSWORD, Browser, create_account

CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")
VIEWPORTS = {"desktop": (1280, 900), "phone": (375, 800)}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

webdriver = pytest.importorskip("selenium.webdriver")
axe_module = pytest.importorskip("axe_selenium_python")
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


def _executable(path):
    return Path(path).is_file() and os.access(path, os.X_OK) or shutil.which(path) is not None


@pytest.fixture(scope="module")
def driver(app):
    if not (_executable(CHROMIUM) and _executable(CHROMEDRIVER)):
        pytest.skip("chromium and chromedriver are needed for the browser tests")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--hide-scrollbars", "--force-device-scale-factor=1", "--lang=en-GB",
                "--disable-features=Translate,OptimizationHints", "--no-first-run"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        chrome = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    except Exception as error:  # a broken browser install is an environment problem, not a page problem
        pytest.skip(f"could not start headless chromium: {error}")
    chrome.set_script_timeout(30)
    chrome.set_page_load_timeout(30)
    # Our own client address, like the requests-based tests, so rate limits do not leak between suites.
    chrome.execute_cdp_cmd("Network.enable", {})
    chrome.execute_cdp_cmd("Network.setExtraHTTPHeaders",
                           {"headers": {"X-Forwarded-For": f"10.250.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"}})
    chrome.base_url = app.base_url
    yield chrome
    chrome.quit()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    chosen = os.environ.get("A11Y_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots in {folder}")
    return folder


@pytest.fixture(scope="module")
def account(app):
    """An existing account, made through the web pages with a plain HTTP client."""
    return create_account(app, Browser(app), first="Grace", last="Hopper")


# --- helpers -----------------------------------------------------------------------------------
def open_page(driver, path, viewport):
    width, height = VIEWPORTS[viewport]
    driver.set_window_size(width, height)
    driver.get_log("browser")  # forget what earlier pages said
    driver.get(driver.base_url + path)
    wait_loaded(driver)


def wait_loaded(driver):
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")


def submit_main_form(driver):
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()

    def left(_):
        # While the next page replaces this one, Chromium may answer "node does not belong to the document"
        # instead of "stale element": both mean the old page is gone.
        try:
            old.is_enabled()
            return False
        except WebDriverException:
            return True

    WebDriverWait(driver, 10).until(left)
    wait_loaded(driver)


def type_into(driver, field_id, text):
    field = driver.find_element(By.ID, field_id)
    field.clear()
    field.send_keys(text)


def axe_report(violations):
    lines = [f"{len(violations)} accessibility violation(s):"]
    for violation in violations:
        lines.append(f"\n[{violation.get('impact')}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"]:
            lines.append(f"  at {', '.join(map(str, node['target']))}")
            lines.append(f"     {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n     ")
            if summary:
                lines.append(f"     {summary}")
    return "\n".join(lines)


def check_page(driver, shots, name, viewport):
    """Screenshot, axe-core, console and layout checks on the page as it is now."""
    width, _ = VIEWPORTS[viewport]
    save_screenshot(driver, shots / f"{name}-{viewport}.png")

    axe = axe_module.Axe(driver)
    axe.inject()
    # axe-core 3.x predates the HTML standard's "one-time-code" autocomplete token (later releases know it).
    driver.execute_script('axe.configure({checks: [{id: "autocomplete-valid", options: {stateTerms: ["one-time-code"]}}]});')
    # Older axe-core releases reject tags they do not know (3.x has no "wcag21a"): ask for those it has.
    known = set(driver.execute_script("return [].concat.apply([], axe.getRules().map(r => r.tags))"))
    tags = [tag for tag in AXE_TAGS if tag in known]
    options = json.dumps({"runOnly": {"type": "tag", "values": tags}, "resultTypes": ["violations"]})
    results = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        f"axe.run(document, {options}).then(done, function (e) {{ done({{error: String(e)}}); }});")
    assert "error" not in results, results
    problems = []
    if results["violations"]:
        problems.append(axe_report(results["violations"]))

    errors = console_errors(driver)
    if errors:
        problems.append("browser console errors:\n" + "\n".join(f"  {e['message']}" for e in errors))

    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if overflow > 0:
        problems.append(f"the page scrolls sideways by {overflow}px at {width}px wide")

    broken = driver.execute_script(
        "return Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)")
    if broken:
        problems.append("images that did not load: " + ", ".join(broken))

    assert not problems, f"{name} ({viewport}, {driver.current_url}):\n" + "\n\n".join(problems)


def console_errors(driver):
    """SEVERE console entries, less Chromium's note on the page's own 4xx status: a form shown
    again with its errors is answered 400 on purpose, and that is not a fault of the page."""
    page = driver.current_url.split("#")[0]
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"
            and not (entry["message"].startswith(page + " - Failed to load resource: the server responded with a status of 4"))]


def save_screenshot(driver, path):
    """A PNG of the whole page, not only the visible part."""
    height = driver.execute_script("return Math.ceil(document.documentElement.scrollHeight)")
    width = driver.execute_script("return document.documentElement.clientWidth")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
    path.write_bytes(base64.b64decode(shot["data"]))


def signed_out(driver):
    driver.delete_all_cookies()


def sign_in(driver, email, viewport):
    signed_out(driver)
    open_page(driver, "/login", viewport)
    type_into(driver, "email", email)
    submit_main_form(driver)
    type_into(driver, "password", STRONG_PASSWORD)
    submit_main_form(driver)
    assert not driver.find_elements(By.CSS_SELECTOR, ".error-summary"), driver.page_source


def ensure_signed_in(driver, email, viewport):
    open_page(driver, "/account", viewport)
    if not driver.current_url.rstrip("/").endswith("/account"):
        sign_in(driver, email, viewport)


# --- the pages -------------------------------------------------------------------------------------
viewports = pytest.mark.parametrize("viewport", list(VIEWPORTS))


@viewports
def test_sign_in_email_step(driver, shots, viewport):
    signed_out(driver)
    open_page(driver, "/login", viewport)
    assert driver.find_element(By.ID, "email")
    check_page(driver, shots, "login-email", viewport)


@viewports
def test_sign_in_password_step(driver, shots, account, viewport):
    signed_out(driver)
    open_page(driver, "/login", viewport)
    type_into(driver, "email", account)
    submit_main_form(driver)
    assert driver.find_element(By.ID, "password").is_displayed()
    assert account in driver.find_element(By.CSS_SELECTOR, ".identity__email").text
    check_page(driver, shots, "login-password", viewport)


@viewports
def test_registration(driver, shots, viewport):
    signed_out(driver)
    open_page(driver, "/register", viewport)
    check_page(driver, shots, "register", viewport)

    submit_main_form(driver)
    summary = driver.find_element(By.CSS_SELECTOR, ".error-summary")
    assert driver.switch_to.active_element == summary, "the error summary should have the focus"
    assert driver.find_elements(By.CSS_SELECTOR, ".form-group--error .error-message")
    check_page(driver, shots, "register-errors", viewport)


def test_captcha_refresh_keeps_the_form(driver, app):
    signed_out(driver)
    open_page(driver, "/register", "desktop")
    type_into(driver, "first_name", "Ada")
    type_into(driver, "captcha", "WRONG")
    old_id = driver.find_element(By.NAME, "captcha_id").get_attribute("value")
    driver.find_element(By.CSS_SELECTOR, "[data-captcha-refresh]").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_element(By.NAME, "captcha_id").get_attribute("value") != old_id)
    new_id = driver.find_element(By.NAME, "captcha_id").get_attribute("value")
    assert app.captcha_answer(new_id), "the new challenge is not known to the server"
    assert new_id in driver.find_element(By.CSS_SELECTOR, ".captcha__image").get_attribute("src")
    assert new_id in driver.find_element(By.CSS_SELECTOR, "[data-captcha-audio]").get_attribute("href")
    assert driver.find_element(By.ID, "captcha").get_attribute("value") == ""
    assert driver.switch_to.active_element == driver.find_element(By.ID, "captcha")
    assert driver.find_element(By.ID, "first_name").get_attribute("value") == "Ada"
    assert driver.current_url.endswith("/register")
    WebDriverWait(driver, 10).until(lambda d: d.execute_script(
        "var i = document.querySelector('.captcha__image'); return i.complete && i.naturalWidth > 0"))
    errors = [e["message"] for e in console_errors(driver)]
    assert not errors, errors


@viewports
def test_lost_password(driver, shots, viewport):
    signed_out(driver)
    open_page(driver, "/password/lost", viewport)
    check_page(driver, shots, "lost-password", viewport)


@viewports
def test_my_account(driver, shots, account, viewport):
    sign_in(driver, account, viewport)
    open_page(driver, "/account", viewport)
    assert driver.current_url.endswith("/account")
    assert account in driver.find_element(By.CSS_SELECTOR, ".summary").text
    check_page(driver, shots, "account", viewport)

    menu = driver.find_element(By.CSS_SELECTOR, ".user-menu summary")
    menu.click()
    assert driver.find_element(By.CSS_SELECTOR, ".user-menu ul a[href='/account']").is_displayed()
    check_page(driver, shots, "account-menu-open", viewport)


@viewports
def test_change_password(driver, shots, account, viewport):
    ensure_signed_in(driver, account, viewport)
    open_page(driver, "/account/password", viewport)
    assert driver.find_element(By.ID, "current_password")
    check_page(driver, shots, "change-password", viewport)

    def samples(d):  # read in one go: the list is replaced under our feet
        return d.execute_script("return Array.from(document.querySelectorAll('[data-samples] code'), c => c.textContent)")

    before = samples(driver)
    assert len(before) == 3
    driver.find_element(By.CSS_SELECTOR, "[data-samples-refresh]").click()
    WebDriverWait(driver, 10).until(lambda d: samples(d) != before)
    after = samples(driver)
    assert len(after) == 3 and all(after)
    assert driver.current_url.endswith("/account/password"), "the page should not have been left"
    errors = [e["message"] for e in console_errors(driver)]
    assert not errors, errors


@viewports
def test_my_sessions(driver, shots, account, viewport):
    ensure_signed_in(driver, account, viewport)
    open_page(driver, "/account/sessions", viewport)
    assert driver.find_elements(By.CSS_SELECTOR, "form[action='/account/sessions/end'] button")
    check_page(driver, shots, "account-sessions", viewport)


@viewports
def test_authenticator_app(driver, shots, account, viewport):
    ensure_signed_in(driver, account, viewport)
    open_page(driver, "/account/authenticator", viewport)
    image = driver.find_element(By.CSS_SELECTOR, "img.qr-code")
    assert driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", image)
    assert len(driver.find_element(By.ID, "secret").text.replace(" ", "")) == 32
    check_page(driver, shots, "account-authenticator", viewport)


@viewports
def test_mobile_phone_numbers(driver, shots, account, viewport):
    sign_in(driver, account, viewport)  # adding a number needs a recent verification
    open_page(driver, "/account/phones", viewport)
    assert driver.find_element(By.CSS_SELECTOR, "a[href='/account/phones/add']")
    check_page(driver, shots, "account-phones", viewport)

    open_page(driver, "/account/phones/add", viewport)
    type_into(driver, "phone", "+32.470.12.34.56")
    submit_main_form(driver)
    assert driver.find_elements(By.CSS_SELECTOR, ".error-summary a[href='#phone']")
    check_page(driver, shots, "account-phone-add-error", viewport)

    type_into(driver, "phone", "+32 470 12 34 56")
    submit_main_form(driver)
    assert driver.current_url.endswith("/account/phones/confirm")
    check_page(driver, shots, "account-phone-confirm", viewport)

    # A code pasted whole into the first box is spread over both.
    first = driver.find_element(By.ID, "otp_1")
    driver.execute_script(
        "var data = new DataTransfer(); data.setData('text', 'acef-hjkm');"
        "arguments[0].dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));", first)
    assert [driver.find_element(By.ID, f).get_attribute("value").upper() for f in ("otp_1", "otp_2")] == ["ACEF", "HJKM"]
    submit_main_form(driver)
    assert driver.find_elements(By.CSS_SELECTOR, ".error-summary a[href='#otp_1']")
    check_page(driver, shots, "account-phone-confirm-error", viewport)


@viewports
def test_emergency_removal(driver, shots, account, viewport):
    ensure_signed_in(driver, account, viewport)
    open_page(driver, "/account/panic", viewport)
    assert driver.find_element(By.ID, "password")
    check_page(driver, shots, "account-panic", viewport)


@viewports
def test_hardware_tokens(driver, shots, app, account, viewport, tmp_path):
    serial_no = f"A11Y{uuid.uuid4().hex[:8]}".upper()
    tokens = tmp_path / "tokens.csv"
    tokens.write_text(f"{serial_no},3132333435363738393031323334353637383930,OCRA-1:HOTP-SHA1-6:QN08,,\n")
    app.run_cli("token", "import", str(tokens))
    sign_in(driver, account, viewport)  # linking needs a recent verification
    open_page(driver, "/account/tokens", viewport)
    assert driver.find_element(By.ID, "serial") and driver.find_element(By.ID, "otp")
    check_page(driver, shots, "account-tokens", viewport)
    type_into(driver, "serial", serial_no)
    submit_main_form(driver)
    assert len(driver.find_element(By.ID, "question").text.replace("-", "")) == 8
    check_page(driver, shots, "account-tokens-challenge", viewport)


@pytest.fixture(scope="module")
def phone_account(app):
    """An account with a mobile phone number, added through the pages with a plain HTTP client."""
    import re
    browser = Browser(app)
    email_address = create_account(app, browser, first="Katherine", last="Johnson")
    number = "+41791" + str(uuid.uuid4().int % 10**6).zfill(6)
    page = browser.form("/account/phones/add", {"phone": number})
    code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", app.wait_sms(number)["text"]).group(0)
    first, second = code.split("-")
    browser.post("/account/phones/confirm", data={"otp_1": first, "otp_2": second, "csrf": browser.csrf(page.text)})
    return email_address, number


@viewports
def test_sign_in_by_sms(driver, shots, app, phone_account, viewport):
    email_address, number = phone_account
    signed_out(driver)
    open_page(driver, "/login", viewport)
    type_into(driver, "email", email_address)
    submit_main_form(driver)
    # With JavaScript, only the chosen method's fields show.
    driver.find_element(By.CSS_SELECTOR, "label[for=method-password]").click()
    assert not driver.find_element(By.ID, "phone").is_displayed()
    driver.find_element(By.CSS_SELECTOR, "label[for=method-sms]").click()
    assert driver.find_element(By.ID, "phone").is_displayed()
    check_page(driver, shots, "login-methods", viewport)
    type_into(driver, "password", STRONG_PASSWORD)
    type_into(driver, "phone", number)
    submit_main_form(driver)
    assert len(driver.find_elements(By.CSS_SELECTOR, "input.input--block")) == 3
    check_page(driver, shots, "login-sms-challenge", viewport)
