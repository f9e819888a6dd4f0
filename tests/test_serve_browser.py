"""The fresh flow in a real headless Chromium: triage, add a user, serve, log in, decide one item by
keyboard and one from the thread view, read the history; hostile comments never run.

Driven over the DevTools protocol like tests/test_browser.py. The server is `discourse serve` in a
subprocess on a free loopback port, stopped at the end (and by `timeout` after 300 s at most).
Set DISCOURSE_QUEUE_SCREENSHOT=docs/queue_screenshot.png to refresh the README's screenshot.
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from browser_check import PROBE, Browser, find_chromium

from discourse.cli import main
from discourse.moderation.queue import ReviewQueue

pytestmark = [pytest.mark.slow,  # triage without --fast loads the sentence encoder
              pytest.mark.skipif(find_chromium() is None or shutil.which("timeout") is None,
                                 reason="no chromium found (apt-get install chromium, or set DISCOURSE_CHROMIUM)")]
PASSWORD = "a moderator's password"
HOSTILE = ["<script>window.__pwned=1;document.documentElement.setAttribute('data-pwned','1')</script>",
           "<img src=x onerror=\"window.__pwned=1;document.title='PWNED'\"> you idiot",
           '<a href="javascript:window.__pwned=1">free money</a> http://spam.example/win',
           '"><svg onload=window.__pwned=1>']


class Tab:
    """One page of the browser, kept across navigations."""

    def __init__(self, browser: Browser, width=1280, height=900):
        self.b, self.events = browser, []
        self.target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = browser.call("Target.attachToTarget", {"targetId": self.target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable")
        self.call("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1,
                                                         "mobile": False})

    def call(self, method, params=None):
        return self.b.call(method, params, self.session, self.events)

    def _wait_load(self, since: int) -> None:
        deadline = time.monotonic() + 30
        while not any(e.get("method") == "Page.loadEventFired" and e.get("sessionId") == self.session
                      for e in self.events[since:]):
            self.events.append(self.b._recv(deadline))

    def then_load(self, action) -> None:
        since = len(self.events)
        action()
        self._wait_load(since)

    def goto(self, url: str) -> None:
        self.then_load(lambda: self.call("Page.navigate", {"url": url}))

    def js(self, expression: str):
        out = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return out["result"].get("value")

    def key(self, key: str) -> None:
        for kind in ("keyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", {"type": kind, "key": key, "text": key if kind == "keyDown" else ""})

    def click(self, selector: str) -> None:
        rect = json.loads(self.js(f"JSON.stringify(document.querySelector({json.dumps(selector)})"
                                  ".getBoundingClientRect())"))
        x, y = rect["x"] + rect["width"] / 2, rect["y"] + rect["height"] / 2
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1})

    def probe(self) -> dict:
        return json.loads(self.js(PROBE))

    def screenshot(self, path: Path) -> None:
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", {"format": "png"})["data"]))

    def exceptions(self) -> list[str]:
        return [e["params"]["exceptionDetails"].get("text", "") for e in self.events
                if e.get("method") == "Runtime.exceptionThrown" and e.get("sessionId") == self.session]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serve_browser")
    db = tmp / "q.sqlite"
    # the fresh flow of the README; --fast first, so each item shows the scores of both modes
    for fast in (["--fast"], []):
        assert main(["triage", str(ROOT / "threads"), "--db", str(db), "-q", "-o", str(tmp / "top.txt"), *fast]) == 0
    n = len(HOSTILE)
    hostile = pd.DataFrame({"thread_id": ["hostile"] * n, "comment_id": [f"h{i}" for i in range(n)],
                            "author": ["<b>eve</b>", "javascript:x", "eve", "mallory"], "text": HOSTILE,
                            "parent_id": [None, "h0", "h1", "h0"], "position": list(range(n)),
                            "triage_priority": [0.31, 0.3, 0.29, 0.28],
                            "triage_reasons": ["", "incivility 0.50: insult: 'you idiot'",
                                               "link to an external site (spam.example)", ""]})
    with ReviewQueue(db) as q:
        q.add(hostile, mode="fast")
    (tmp / "pw").write_text(PASSWORD + "\n", encoding="utf-8")
    assert main(["users", "add", "ann", "--role", "moderator", "--password-file", str(tmp / "pw"), "--db", str(db)]) == 0
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen(["timeout", "300", sys.executable, "-m", "discourse", "serve", "--db", str(db),
                             "--port", str(port)], env=env, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        assert f"http://127.0.0.1:{port}/" in line, line
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", db
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def test_a_moderator_works_the_queue_in_a_real_browser(server, tmp_path):
    url, db = server
    with Browser(width=1280, height=900) as browser:
        tab = Tab(browser)
        tab.goto(url + "/queue")
        assert tab.js("location.pathname") == "/login"
        tab.then_load(lambda: tab.js(
            "document.querySelector('input[name=name]').value = 'ann';"
            f"document.querySelector('input[name=password]').value = {json.dumps(PASSWORD)};"
            "document.querySelector('form.login button').click()"))
        assert tab.js("location.pathname") == "/queue", tab.js("document.body.innerText")
        assert tab.js("document.querySelectorAll('article.item').length") > 10
        shot = Path(os.environ.get("DISCOURSE_QUEUE_SCREENSHOT") or tmp_path / "queue.png")
        tab.screenshot(shot)
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

        # by keyboard: j moves to the second item, r rejects it
        tab.key("j")
        chosen = tab.js("document.querySelector('article.item.current').dataset.queueId")
        assert chosen == tab.js("document.querySelectorAll('article.item')[1].dataset.queueId")
        tab.then_load(lambda: tab.key("r"))
        assert tab.js("location.pathname") == "/queue"
        assert chosen not in tab.js("[...document.querySelectorAll('article.item')].map(a => a.dataset.queueId)")

        # from the thread view: approve the focused item with a mouse click
        other = tab.js("document.querySelectorAll('article.item')[0].dataset.queueId")
        tab.then_load(lambda: tab.click(f"#i-{other} a.thread-link"))
        assert tab.js("location.pathname") == "/thread"
        assert tab.js("document.querySelector('article.focus').dataset.queueId") == other
        tab.then_load(lambda: tab.click(f"#i-{other} button.approve"))
        assert tab.js(f"document.querySelector('#i-{other} .status').textContent") == "approved"

        # the history
        tab.goto(f"{url}/item/{chosen}")
        rows = tab.js("[...document.querySelectorAll('.history-table tbody tr')].map(r => r.innerText)")
        assert len(rows) == 1 and "ann" in rows[0] and "reject" in rows[0]
        assert tab.exceptions() == []
    with ReviewQueue(db) as q:
        assert [(h["decision"], h["moderator"]) for h in q.history(chosen)] == [("reject", "ann")]
        assert [(h["decision"], h["moderator"]) for h in q.history(other)] == [("approve", "ann")]


def test_hostile_comments_never_run(server):
    url, _ = server
    with Browser(width=1280, height=900) as browser:
        tab = Tab(browser)
        tab.goto(url + "/login")
        tab.then_load(lambda: tab.js(
            "document.querySelector('input[name=name]').value = 'ann';"
            f"document.querySelector('input[name=password]').value = {json.dumps(PASSWORD)};"
            "document.querySelector('form.login button').click()"))
        for page in ("/queue?thread=hostile", "/thread?id=hostile"):
            tab.goto(url + page)
            r = tab.probe()
            assert r["elements"] > 50 and tab.js("document.querySelectorAll('article.item').length") == 4
            assert not r["pwned_global"] and not r["pwned_attr"] and r["title"] != "PWNED"
            assert r["scripts"] == 1 and r["handlers"] == 0 and r["js_links"] == 0 and r["iframes"] == 0
            assert r["marks"] >= 2  # the evidence ('you idiot', the spam link) highlighted
            text = tab.js("document.body.innerText")
            assert "<script>window.__pwned=1" in text and 'onerror="window.__pwned=1' in text
        assert tab.exceptions() == []
