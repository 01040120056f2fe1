"""The web UI served by the real gateway, driven end to end in headless Chromium: user A signs up, uploads a file,
watches it get processed, finds it by search and shares it; user B, in a separate browser with its own cookies,
sees the share arrive live. Both pages are screenshotted; the console must stay free of errors and CSP violations."""
import os
import pathlib
import shutil
import tempfile
import uuid

import pytest

try:
    from selenium import webdriver
    from selenium.common.exceptions import TimeoutException, WebDriverException
    from selenium.webdriver.chrome.service import Service as ChromeService
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:  # a missing tool is a broken setup, not a reason to skip
    webdriver = None

from .gwsupport import PASSWORD

# Recorded from the first script of every document; CDP-injected scripts are exempt from the page's own CSP.
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`);
});
"""


def browser_binaries():
    if webdriver is None:
        pytest.fail("python selenium is not installed (pip install selenium)")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    chromedriver = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver")
                                                    else None)
    if not chromium or not chromedriver:
        pytest.fail(f"headless browser tests need chromium and chromedriver on PATH "
                    f"(Debian: apt-get install chromium chromium-driver); found chromium={chromium!r}, "
                    f"chromedriver={chromedriver!r}")
    return chromium, chromedriver


@pytest.fixture
def browsers():
    """`browsers()` → a new headless Chromium (own profile, so own cookies); all are quit after the test."""
    chromium, chromedriver = browser_binaries()
    started = []

    def start():
        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"]:
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(service=ChromeService(executable_path=chromedriver), options=options)
        started.append(driver)
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_RECORDER})
        return driver

    yield start
    for driver in started:
        try:
            driver.quit()
        except WebDriverException:
            pass


@pytest.fixture
def artifacts_dir():
    configured = os.environ.get("FILEFLOW_ARTIFACTS_DIR")
    if configured:
        path = pathlib.Path(configured)
        path.mkdir(parents=True, exist_ok=True)
        return path
    base = os.environ.get("FILEFLOW_TEST_WORKDIR") or "/tmp"
    return pathlib.Path(tempfile.mkdtemp(prefix="fileflow-web-ui-", dir=base))


def wait(driver, condition, timeout=20, message=""):
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.2).until(lambda _: condition(), message)
    except TimeoutException:
        error = driver.find_elements(By.CSS_SELECTOR, "#error-area")
        shown = error[0].text if error and error[0].is_displayed() else ""
        pytest.fail(f"timed out after {timeout} s: {message}; page error area: {shown!r}")


def q(driver, css):
    return driver.find_element(By.CSS_SELECTOR, css)


def qs(driver, css):
    return driver.find_elements(By.CSS_SELECTOR, css)


def sign_up_and_in(driver, gateway, username):
    """Sign-up does not sign in: it prefills the sign-in form, where the password is typed again."""
    driver.get(gateway.url("/"))
    wait(driver, lambda: q(driver, "#auth-view").is_displayed(), message="auth view shown")
    q(driver, "#signup-username").send_keys(username)
    q(driver, "#signup-password").send_keys(PASSWORD)
    q(driver, "#signup-submit").click()
    wait(driver, lambda: q(driver, "#auth-message").is_displayed(), message=f"{username} signed up")
    assert q(driver, "#signin-username").get_attribute("value") == username
    q(driver, "#signin-password").send_keys(PASSWORD)
    q(driver, "#signin-submit").click()
    wait(driver, lambda: q(driver, "#app-view").is_displayed(), message=f"{username} signed in")
    assert q(driver, "#current-user").text == username


def console_problems(driver):
    """SEVERE console entries (a favicon 404 aside) and CSP violations seen by the page."""
    try:
        entries = driver.get_log("browser")
    except (WebDriverException, AttributeError):  # a driver without the log endpoint
        entries = []
    severe = [entry["message"] for entry in entries
              if entry["level"] == "SEVERE" and not ("favicon" in entry["message"] and "404" in entry["message"])]
    csp = [entry["message"] for entry in entries
           if entry.get("source") == "security" or "Content Security Policy" in entry["message"]]
    csp += driver.execute_script("return window.__cspViolations || []")
    return severe, csp


def test_upload_process_search_share_with_a_live_second_user(gateway, browsers, artifacts_dir, tmp_path):
    alice, bob = f"ui-a-{uuid.uuid4().hex[:10]}", f"ui-b-{uuid.uuid4().hex[:10]}"
    word = f"zebra{uuid.uuid4().hex[:12]}"
    upload = tmp_path / f"notes {word}.txt"
    upload.write_text(f"Quarterly notes mentioning {word} for the web UI test.\n")

    a, b = browsers(), browsers()

    sign_up_and_in(b, gateway, bob)
    wait(b, lambda: q(b, "#live-status").get_attribute("data-state") == "open", 30, "B's live updates open")
    b.execute_script("window.__sameDocument = true")  # gone if B's page reloads

    sign_up_and_in(a, gateway, alice)
    q(a, "#file-input").send_keys(str(upload))
    wait(a, lambda: q(a, "#upload-progress").get_attribute("data-complete") == "true", 60, "upload finished")
    assert q(a, "#upload-progress").get_attribute("aria-valuenow") == "100"
    rows = wait(a, lambda: [row for row in qs(a, "#files-body tr[data-file-id]")
                            if row.find_element(By.CSS_SELECTOR, ".file-name").text == upload.name],
                30, "uploaded file listed")
    file_id = rows[0].get_attribute("data-file-id")
    status = f'tr[data-file-id="{file_id}"] [data-testid=file-status]'
    wait(a, lambda: q(a, status).get_attribute("data-status") == "processed", 120,
         f"file processed (last status {q(a, status).get_attribute('data-status')!r})")

    def found():
        # Indexing follows processing through Kafka; typing again re-runs the query until the file is found.
        box = q(a, "#search-input")
        box.clear()
        box.send_keys(word)
        try:
            return WebDriverWait(a, 3, poll_frequency=0.2).until(
                lambda _: [hit for hit in qs(a, "#search-results [data-testid=search-result]")
                           if hit.get_attribute("data-file-id") == file_id])
        except TimeoutException:
            return []
    wait(a, found, 60, f"search for {word!r} finds {file_id}")

    q(a, f'tr[data-file-id="{file_id}"] [data-testid=share-button]').click()
    wait(a, lambda: q(a, "#share-dialog").is_displayed(), message="share dialog open")
    q(a, "#share-username").send_keys(bob)
    q(a, "#share-submit").click()
    wait(a, lambda: qs(a, f'#share-list [data-testid=share-entry][data-username="{bob}"]'), 30, "share listed")
    q(a, "#share-close").click()

    toasts = wait(b, lambda: [toast for toast in qs(b, "#toasts [data-testid=toast]")
                              if toast.get_attribute("data-kind") == "share_received"], 30,
                  "B's share toast, without a reload")
    assert toasts[0].get_attribute("data-file-id") == file_id
    assert b.execute_script("return window.__sameDocument === true"), "B's page reloaded to see the share"

    for name, driver in [("user-a", a), ("user-b", b)]:
        path = artifacts_dir / f"web-ui-{name}.png"
        assert driver.save_screenshot(str(path)), f"could not save {path}"
        print(f"screenshot: {path}")

    for name, driver in [("A", a), ("B", b)]:
        severe, csp = console_problems(driver)
        assert not severe, f"{name}'s console has errors: {severe}"
        assert not csp, f"{name}'s page had CSP violations: {csp}"
