#!/usr/bin/env python3
"""Uses the statistics page's admin form in headless Chromium, as an
operator does: loads the page, ticks one server's box in one proxy's
table, picks an action in that table's list, clicks Apply, and waits for
the page the browser lands on after the POST.

Chromium is driven through the DevTools protocol over a pipe
(--remote-debugging-pipe: commands on fd 3, answers on fd 4, each JSON
message ended by a NUL byte), so nothing but Chromium and Python is needed.

    browser_admin_form.py CHROMIUM URL AUTHORIZATION PROXY SERVER ACTION PROFILE_DIR

Prints one JSON object: the URL landed on, the text of the result message,
and the class of the server's row on the page that follows.
"""
import fcntl
import json
import os
import subprocess
import sys
import time


class Browser:
    def __init__(self, chromium, profile):
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()
        # The child sees our read end of the command pipe as fd 3 and the
        # write end of the answer pipe as fd 4.
        def fds():
            # Out of the way first, so that neither dup2 closes the other.
            r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
            w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(r, 3)
            os.dup2(w, 4)
        self.process = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
             f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"],
            # Closing the other descriptors comes after preexec_fn: keep 3 and 4.
            preexec_fn=fds, pass_fds=(3, 4),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={"HOME": profile, "PATH": "/usr/bin:/bin"})
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.next_id = 0
        self.pending = b""
        self.events = []

    def send(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        while True:
            reply = self.read()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def read(self):
        while b"\0" not in self.pending:
            chunk = os.read(self.from_browser, 65536)
            if not chunk:
                raise RuntimeError("the browser closed its pipe: "
                                   + self.process.stderr.read().decode(errors="replace")[-2000:])
            self.pending += chunk
        message, self.pending = self.pending.split(b"\0", 1)
        return json.loads(message)

    def wait_event(self, name, deadline):
        while time.monotonic() < deadline:
            for i, event in enumerate(self.events):
                if event.get("method") == name:
                    del self.events[i]
                    return event
            self.events.append(self.read())
        raise RuntimeError(f"no {name} before the deadline")

    def close(self):
        try:
            self.send("Browser.close")
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def main():
    chromium, url, authorization, proxy, server, action, profile = sys.argv[1:8]
    browser = Browser(chromium, profile)
    deadline = time.monotonic() + 60
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        browser.send("Page.enable", session=session)
        browser.send("Network.enable", session=session)
        browser.send("Network.setExtraHTTPHeaders", {"headers": {"Authorization": authorization}}, session=session)
        browser.send("Page.navigate", {"url": url}, session=session)
        browser.wait_event("Page.loadEventFired", deadline)
        # What an operator does: tick the server's box in its proxy's
        # table, choose the action, press Apply.
        clicked = browser.send("Runtime.evaluate", {"returnByValue": True, "expression": f"""
            (() => {{
                const box = [...document.querySelectorAll('input.{proxy}-checkbox')]
                    .find(b => b.value === {json.dumps(server)});
                if (!box) return 'no box for {server}';
                box.click();
                const form = box.form;
                const select = form.querySelector('select[name=action]');
                select.value = {json.dumps(action)};
                select.dispatchEvent(new Event('change'));
                form.querySelector('input[type=submit]').click();
                return 'clicked';
            }})()"""}, session=session)["result"]["value"]
        if clicked != "clicked":
            raise RuntimeError(clicked)
        browser.wait_event("Page.loadEventFired", deadline)
        landed = browser.send("Runtime.evaluate", {"returnByValue": True, "expression": f"""
            (() => {{
                const message = document.querySelector('div.message');
                const anchor = document.getElementById({json.dumps(proxy + '/' + server)});
                return {{
                    url: location.href,
                    message: message ? message.textContent : null,
                    rowClass: anchor ? anchor.closest('tr').className : null,
                }};
            }})()"""}, session=session)["result"]["value"]
        print(json.dumps(landed))
    finally:
        browser.close()


if __name__ == "__main__":
    main()
