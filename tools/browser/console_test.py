#!/usr/bin/env python3
"""The web console in a real browser: headless Chromium driven by Selenium against a live
`videogenx serve` on loopback (started by the Swift test ConsoleBrowserTests, which passes its
URL and two key files made by `videogenx keys create` / serve's admin key).

Chromium's own background traffic is off (no component updates, no sync, no first-run, no
background networking) and the driver is named explicitly, so Selenium Manager never runs: the
browser talks to the loopback server only. Exits non-zero on the first failed check, naming it.
Screenshots of every page go to --screenshots.
"""
import argparse
import json
import pathlib
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--no-first-run",
    "--no-default-browser-check", "--disable-sync", "--disable-default-apps", "--disable-extensions",
    "--disable-client-side-phishing-detection", "--disable-domain-reliability", "--metrics-recording-only",
    "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication,CertificateTransparencyComponentUpdater",
    "--autoplay-policy=no-user-gesture-required", "--mute-audio", "--window-size=1280,1000",
]


class Console:
    def __init__(self, base, shots):
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(options=options, service=Service(executable_path="/usr/bin/chromedriver"))
        self.base = base
        self.shots = shots
        self.logs = []

    def wait(self, condition, seconds=30, what="condition"):
        try:
            # Live pages re-render as events arrive: an element read a moment ago may be gone.
            return WebDriverWait(self.driver, seconds, poll_frequency=0.2, ignored_exceptions=[StaleElementReferenceException]).until(
                lambda d: condition())
        except TimeoutException:
            self.shot("timeout")
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")

    def click(self, css, what):
        """Clicks `css` once it is there, again if a re-render replaced it mid-click."""
        def attempt():
            self.find(css).click()
            return True
        self.wait(attempt, what=what)

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def finds(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def shot(self, name):
        self.driver.save_screenshot(str(self.shots / f"{name}.png"))

    def collect_logs(self):
        self.logs += self.driver.get_log("browser")

    def sign_in(self, key_file):
        key = json.loads(pathlib.Path(key_file).read_text())
        self.driver.get(self.base + "/")
        self.wait(lambda: self.finds("#signin-form"), what="the sign-in form")
        check(self.driver.current_url == self.base + "/console/#/signin" or self.driver.current_url.startswith(self.base + "/console/"), "/ redirects to /console/")
        self.find("#key-id").send_keys(key["key_id"])
        self.find("#key-secret").send_keys(key["secret"])
        self.find("#signin-button").click()
        self.wait(lambda: self.finds("#new-video"), what="the new-video form after signing in")
        check(key["secret"] not in self.driver.page_source, "the secret is not shown in the page")
        stored = self.driver.execute_script("return sessionStorage.getItem('videogenx.credentials')")
        check(stored and key["key_id"] in stored, "the key is kept in sessionStorage")
        return key

    def sign_out(self):
        self.find("#sign-out").click()
        self.wait(lambda: self.finds("#signin-form"), what="the sign-in form after signing out")
        check(self.driver.execute_script("return sessionStorage.getItem('videogenx.credentials')") is None, "sign-out clears the key")

    def open_groups(self):
        for details in self.finds("details"):
            if details.get_attribute("open") is None:
                details.find_element(By.TAG_NAME, "summary").click()

    def set_field(self, name, value):
        element = self.find(f'[name="{name}"]')
        if element.tag_name == "select":
            Select(element).select_by_value(str(value))
        else:
            element.clear()
            element.send_keys(str(value))

    def submit_video(self, prompt, **fields):
        self.driver.get(self.base + "/console/#/new")
        self.wait(lambda: self.finds("#new-video"), what="the new-video form")
        self.open_groups()
        self.set_field("text", prompt)
        for name, value in fields.items():
            self.set_field(name, value)
        self.find("#submit").click()
        self.wait(lambda: "#/task/" in self.driver.current_url, what="the task page after submitting")
        return self.driver.current_url.rsplit("/", 1)[-1]

    def status(self):
        badges = self.finds("#task-head .badge")
        return badges[0].text if badges else None


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print(f"ok - {what}", flush=True)


def run(args):
    shots = pathlib.Path(args.screenshots)
    shots.mkdir(parents=True, exist_ok=True)
    c = Console(args.base.rstrip("/"), shots)
    try:
        # Assets: strict CSP on every console answer (read through the page's own fetch).
        c.driver.get(c.base + "/console/")
        csp = c.driver.execute_script("""
            const r = await fetch('/console/app.js'); return [r.headers.get('content-security-policy'), r.headers.get('etag')];""")
        check(csp[0] and "script-src 'self'" in csp[0] and "unsafe-inline" not in csp[0], "assets carry a strict CSP (no inline script)")
        check(csp[1] and csp[1].startswith('"'), "assets carry an ETag")

        # A free key, made by `videogenx keys create`.
        c.sign_in(args.free_key)
        priorities = [o.get_attribute("value") for o in Select(c.find('[name="priority"]')).options]
        resolutions = [o.get_attribute("value") for o in Select(c.find('[name="params.resolution"]')).options]
        check("0" not in priorities and priorities == ["2", "3"], f"a free key cannot pick P0 (offered {priorities})")
        check("4K" not in resolutions and "720P" in resolutions, f"a free key cannot pick 4K (offered {resolutions})")
        check(Select(c.find('[name="params.codec"]')).first_selected_option.get_attribute("value") == "h264", "the console asks for H.264 by default")

        # Keyboard: Tab from the top of the page reaches the Generate button.
        c.driver.execute_script("document.activeElement.blur(); window.scrollTo(0, 0)")
        reached = False
        for _ in range(80):
            ActionChains(c.driver).send_keys(Keys.TAB).perform()
            if c.driver.switch_to.active_element.get_attribute("id") == "submit":
                reached = True
                break
        check(reached, "the form is keyboard reachable (Tab reaches Generate)")

        # An invalid value: the API's reason is shown beside its field.
        c.open_groups()
        c.set_field("text", "a lighthouse at dawn")
        c.set_field("params.duration", 999)
        c.find("#submit").click()
        error = c.wait(lambda: (lambda e: e if e.is_displayed() and e.text else None)(c.find('[data-field="params.duration"] .field-error')),
                       what="the duration field's error")
        check("999" in error.text and "must be" in error.text, f"the API's reason is beside params.duration: {error.text!r}")
        check(c.find('[name="params.duration"]').get_attribute("aria-invalid") == "true", "the invalid field is marked aria-invalid")
        c.shot("new-video-field-error")

        # 375 px wide: no horizontal scrolling.
        c.driver.set_window_size(375, 900)
        c.driver.get(c.base + "/console/#/new")
        c.wait(lambda: c.finds("#new-video"), what="the form at 375 px")
        overflow = c.driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        check(overflow <= 0, f"usable at 375 px wide (overflow {overflow} px)")
        c.shot("new-video-375px")
        c.driver.set_window_size(1280, 1000)

        # The operations page is refused for a free key.
        c.driver.get(c.base + "/console/#/ops")
        refusal = c.wait(lambda: (lambda e: e[0] if e and e[0].text else None)(c.finds("#ops .notice-error")), what="the operations refusal")
        check("admin key" in refusal.text, f"operations are refused for a free key: {refusal.text!r}")
        check(not c.find("#nav-ops").is_displayed(), "the Operations link is hidden for a free key")

        # Submit a short clip; follow it live to 100 %; the player plays.
        task = c.submit_video("a red fox running through snow", **{"params.resolution": "720P", "params.duration": 1, "params.steps": 2, "params.fps": 24,
                                                                         "params.subtitle.text": "hello fox", "params.background_music.builtin": "calm"})
        seen = set()

        def finished():
            bars = c.finds("#task-live progress")
            if bars:
                seen.add(int(bars[0].get_attribute("value") or 0))
            return c.status() in ("succeeded", "failed", "cancelled") and c.status()
        final = c.wait(finished, seconds=180, what=f"task {task} to finish")
        # The last poll may have read the bar just before the page showed the end: read it once more.
        finished()
        check(final == "succeeded", f"task {task} succeeded (got {final})")
        check(100 in seen, f"progress reached 100 % (seen {sorted(seen)})")
        c.wait(lambda: c.finds("#player"), what="the player")
        c.wait(lambda: c.driver.execute_script("return document.getElementById('player').readyState >= 2"), what="the video to load")
        first = c.driver.execute_script("const v = document.getElementById('player'); v.play(); return v.currentTime")
        time.sleep(1.5)
        later = c.driver.execute_script("return document.getElementById('player').currentTime")
        check(later != first, f"the <video> plays (currentTime {first:.2f} -> {later:.2f})")
        check(c.find("#download").get_attribute("href").startswith(c.base + "/api/v1/objects/"), "a download link to the signed video URL")
        echo = json.loads(c.find("#request-echo").text)
        check(echo["text"] == "a red fox running through snow" and echo["params"]["codec"] == "h264", "the request echo is shown")
        check(echo["params"]["subtitle"]["segments"][0]["text"] == "hello fox" and echo["params"]["subtitle"]["shadow"] is True,
              "finishing fields reach the request (subtitle text with its default qualifiers)")
        check(echo["params"]["background_music"]["builtin"] == "calm", "the built-in music choice reaches the request")
        c.shot("task-succeeded")

        # A second task, cancelled from its page.
        second = c.submit_video("a very long slow sunrise", **{"params.resolution": "1080P", "params.duration": 60, "params.steps": 100})
        c.click("#cancel", "the cancel button")
        c.wait(lambda: c.status() == "cancelled", seconds=60, what=f"task {second} to be cancelled")
        check(True, f"task {second} cancelled from its page")

        # My videos: both, with their states; "again" prefills the form.
        c.driver.get(c.base + "/console/#/videos")
        c.wait(lambda: len(c.finds("#task-list li[data-task]")) >= 2, what="the list of videos")
        rows = {li.get_attribute("data-task"): li.find_element(By.CSS_SELECTOR, ".badge").text for li in c.finds("#task-list li[data-task]")}
        check(rows.get(task) == "succeeded" and rows.get(second) == "cancelled", f"My videos lists both tasks with their states: {rows}")
        c.shot("my-videos")
        c.click(f'li[data-task="{task}"] .actions button.secondary', "again with these settings")
        c.wait(lambda: c.find('[name="text"]').get_attribute("value") == "a red fox running through snow", what="the form prefilled from the task")
        check(c.find('[name="params.duration"]').get_attribute("value") == "1", "again with these settings prefills the form")

        c.collect_logs()
        c.sign_out()

        # An admin key: the operations page lists the CPU device.
        c.sign_in(args.admin_key)
        check(c.find("#nav-ops").is_displayed(), "the Operations link is shown for an admin key")
        c.driver.get(c.base + "/console/#/ops")
        c.wait(lambda: c.finds("#devices"), what="the devices table")
        devices = c.find("#devices").text
        check("cpu" in devices and "online" in devices, f"operations list the CPU device: {devices!r}")
        c.wait(lambda: c.finds("#queue"), what="the queue table")
        check("P0" in c.find("#queue").text, "operations show the queue depth per priority")
        c.shot("operations")
        c.collect_logs()

        # The browser console: no errors but the two answers this test provoked on purpose.
        expected = ("/api/v1/video/generate - Failed to load resource: the server responded with a status of 400",
                    "/api/v1/admin/queue - Failed to load resource: the server responded with a status of 403")
        errors = [e["message"] for e in c.logs if e["level"] == "SEVERE" and not any(x in e["message"] for x in expected)]
        check(not errors, f"no errors in the browser console ({len(c.logs)} entries read): {errors}")
    finally:
        c.driver.quit()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", required=True)
    parser.add_argument("--free-key", required=True)
    parser.add_argument("--admin-key", required=True)
    parser.add_argument("--screenshots", required=True)
    args = parser.parse_args()
    try:
        run(args)
    except AssertionError as failure:
        print(f"not ok - {failure}", flush=True)
        sys.exit(1)
    print("all console checks passed", flush=True)


if __name__ == "__main__":
    main()
