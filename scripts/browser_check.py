"""Open report pages in a real headless Chromium and check them, over the DevTools protocol.

Why a real browser: escaping is only proven when a browser parses the page and nothing runs.
The browser is driven through ``--remote-debugging-pipe`` (DevTools messages over file
descriptors 3 and 4), so no extra Python package, port or browser download is needed: Debian's
``chromium`` is enough.

For each page it reports the title, whether input-planted markers exist (an attribute
``data-pwned`` or a global ``__pwned`` set by a hostile script), script elements, inline event
handlers, ``javascript:`` links, every network request (only ``file:`` and ``data:`` are
expected), console messages and exceptions, and the load time from the Navigation Timing API.

    python scripts/browser_check.py reports/*.html [--screenshot out.png] [--json]

Exit status 1 when a page fails a check, 2 when no Chromium is found.
"""
from __future__ import annotations

import argparse
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Self

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "headless_shell")

PROBE = """JSON.stringify((() => {
  const all = [...document.querySelectorAll('*')];
  const nav = performance.getEntriesByType('navigation')[0];
  return {
    title: document.title,
    pwned_attr: !!document.querySelector('[data-pwned]'),
    pwned_global: typeof window.__pwned !== 'undefined',
    scripts: document.scripts.length,
    handlers: all.filter(e => [...e.attributes].some(a => a.name.toLowerCase().startsWith('on'))).length,
    js_links: all.filter(e => /^\\s*javascript:/i.test(e.getAttribute('href') || e.getAttribute('src') || '')).length,
    iframes: document.querySelectorAll('iframe, object, embed, frame').length,
    remote_src: all.filter(e => /^\\s*(https?:)?\\/\\//i.test(e.getAttribute('src') || '')).length,
    elements: all.length,
    marks: document.querySelectorAll('mark').length,
    images: [...document.images].filter(i => i.complete && i.naturalWidth > 0).length,
    load_ms: nav ? nav.loadEventEnd - nav.startTime : null,
    dom_ms: nav ? nav.domContentLoadedEventEnd - nav.startTime : null,
  };
})())"""


def find_chromium() -> str | None:
    """The Chromium to use: ``$DISCOURSE_CHROMIUM``, else the first known name on PATH."""
    env = os.environ.get("DISCOURSE_CHROMIUM")
    if env and Path(env).exists():
        return env
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    for path in ("/usr/lib/chromium/chromium", "/usr/lib/chromium-browser/chromium-browser"):
        if Path(path).exists():
            return path
    return None


class BrowserError(RuntimeError):
    pass


class Browser:
    """A headless Chromium driven over the DevTools pipe. Use as a context manager."""

    def __init__(self, executable: str | None = None, width: int = 1280, height: int = 900, timeout: float = 60.0):
        self.executable = executable or find_chromium()
        if not self.executable:
            raise BrowserError("no chromium found (install Debian's 'chromium' or set DISCOURSE_CHROMIUM)")
        self.width, self.height, self.timeout = width, height, timeout
        self._id = 0
        self._buf = b""
        self.proc = None

    def __enter__(self) -> Self:
        self.profile = tempfile.TemporaryDirectory(prefix="discourse-chromium-")
        to_child_r, self._to_child_w = os.pipe()
        self._from_child_r, from_child_w = os.pipe()

        def wire_fds():  # in the child: DevTools reads fd 3 and writes fd 4
            # Copies first (close-on-exec), so neither pipe end is overwritten if it is 3 or 4.
            a = fcntl.fcntl(to_child_r, fcntl.F_DUPFD_CLOEXEC, 100)
            b = fcntl.fcntl(from_child_w, fcntl.F_DUPFD_CLOEXEC, 100)
            os.dup2(a, 3)  # dup2 makes 3 and 4 inheritable
            os.dup2(b, 4)

        args = [
            self.executable, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--no-default-browser-check", "--disable-background-networking", "--disable-extensions",
            "--disable-sync", "--mute-audio", "--hide-scrollbars", "--remote-debugging-pipe",
            f"--user-data-dir={self.profile.name}", f"--window-size={self.width},{self.height}", "about:blank",
        ]
        # wire_fds only calls fcntl/dup2 (no locks, no allocation), so it is safe after fork even
        # when the parent has threads. close_fds=False because fds 3 and 4 are made in the child
        # (pass_fds would need them open in the parent); Python's own fds are close-on-exec anyway.
        self.proc = subprocess.Popen(args, close_fds=False, preexec_fn=wire_fds, stdin=subprocess.DEVNULL,  # noqa: PLW1509
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_child_r)
        os.close(from_child_w)
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self.proc and self.proc.poll() is None:
                try:
                    self._send("Browser.close")
                    self.proc.wait(10)
                except (OSError, subprocess.TimeoutExpired, BrowserError):
                    self.proc.kill()
                    self.proc.wait(10)
        finally:
            for fd in (self._to_child_w, self._from_child_r):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self.profile.cleanup()

    # -- protocol -----------------------------------------------------------------------------
    def _send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        try:
            while data:
                n = os.write(self._to_child_w, data)
                data = data[n:]
        except BrokenPipeError as e:
            raise BrowserError("chromium exited") from e
        return self._id

    def _recv(self, deadline: float) -> dict:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("timed out waiting for chromium")
            ready, _, _ = select.select([self._from_child_r], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._from_child_r, 1 << 20)
            if not chunk:
                raise BrowserError("chromium closed the DevTools pipe")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, params: dict | None = None, session: str | None = None, events: list | None = None) -> dict:
        mid = self._send(method, params, session)
        deadline = time.monotonic() + self.timeout
        while True:
            msg = self._recv(deadline)
            if msg.get("id") == mid:
                if "error" in msg:
                    raise BrowserError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if events is not None and "method" in msg:
                events.append(msg)

    # -- pages --------------------------------------------------------------------------------
    def open(self, path: str | Path, screenshot: str | Path | None = None, full_height: int | None = None,
             selector: str | None = None, max_height: int = 1600, evaluate: str | None = None) -> dict:
        """Load a local page; return the probe results, requests, console lines and exceptions.

        ``screenshot`` saves a PNG of the viewport, or of the element ``selector`` names (its top
        ``max_height`` pixels). ``evaluate`` is a JavaScript expression returning a JSON string;
        its parsed value is ``result["evaluated"]``.
        """
        url = Path(path).resolve().as_uri()
        events: list[dict] = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.call(f"{domain}.enable", session=session, events=events)
        self.call("Emulation.setDeviceMetricsOverride", {"width": self.width, "height": full_height or self.height,
                                                         "deviceScaleFactor": 1, "mobile": False}, session, events)
        start = time.monotonic()
        self.call("Page.navigate", {"url": url}, session, events)
        deadline = time.monotonic() + self.timeout
        while not any(e.get("method") == "Page.loadEventFired" and e.get("sessionId") == session for e in events):
            msg = self._recv(deadline)
            if "method" in msg:
                events.append(msg)
        wall_ms = 1000 * (time.monotonic() - start)
        probe = self.call("Runtime.evaluate", {"expression": PROBE, "returnByValue": True}, session, events)
        result = json.loads(probe["result"]["value"])
        html = self.call("Runtime.evaluate", {"expression": "document.documentElement.outerHTML", "returnByValue": True},
                         session, events)["result"]["value"]
        if evaluate:
            value = self.call("Runtime.evaluate", {"expression": evaluate, "returnByValue": True},
                              session, events)["result"].get("value")
            result["evaluated"] = json.loads(value) if value else None
        if screenshot:
            params: dict = {"format": "png"}
            if selector:
                rect = self.call("Runtime.evaluate", {
                    "expression": "(() => { const r = document.querySelector(" + json.dumps(selector) + ")"
                                  ".getBoundingClientRect();"
                                  " return JSON.stringify([r.left + scrollX, r.top + scrollY, r.width, r.height]); })()",
                    "returnByValue": True}, session, events)["result"]["value"]
                x, y, w, h = json.loads(rect)
                pad = 16
                x, y = max(0, x - pad), max(0, y - 4)
                params.update(clip={"x": x, "y": y, "width": w + 2 * pad, "height": min(h + 2 * pad, max_height), "scale": 1},
                              captureBeyondViewport=True)
            shot = self.call("Page.captureScreenshot", params, session, events)
            import base64

            Path(screenshot).write_bytes(base64.b64decode(shot["data"]))
        self.call("Target.closeTarget", {"targetId": target}, events=events)
        mine = [e for e in events if e.get("sessionId") == session]
        result.update({
            "url": url,
            "wall_ms": round(wall_ms, 1),
            "requests": [e["params"]["request"]["url"][:120] for e in mine if e["method"] == "Network.requestWillBeSent"],
            "console": [" ".join(str(a.get("value", a.get("description", ""))) for a in e["params"].get("args", []))
                        for e in mine if e["method"] == "Runtime.consoleAPICalled"]
                       + [e["params"]["entry"].get("text", "") for e in mine if e["method"] == "Log.entryAdded"],
            "exceptions": [e["params"]["exceptionDetails"].get("text", "") for e in mine if e["method"] == "Runtime.exceptionThrown"],
            "dom": html,
        })
        return result


def problems(result: dict) -> list[str]:
    """What is wrong with a loaded report page (empty when it is safe)."""
    out = []
    for key in ("pwned_attr", "pwned_global"):
        if result[key]:
            out.append(f"input script ran ({key})")
    for key in ("scripts", "handlers", "js_links", "iframes", "remote_src"):
        if result[key]:
            out.append(f"{result[key]} {key}")
    remote = [u for u in result["requests"] if not u.startswith(("file:", "data:"))]
    if remote:
        out.append(f"remote requests: {remote[:3]}")
    if result["exceptions"]:
        out.append(f"exceptions: {result['exceptions'][:3]}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pages", nargs="+", help="HTML files")
    ap.add_argument("--screenshot", help="PNG of the first page's top")
    ap.add_argument("--selector", help="CSS selector of the element to capture (default: the viewport)")
    ap.add_argument("--height", type=int, default=900, help="viewport height for the screenshot")
    ap.add_argument("--json", action="store_true", help="print the results as JSON lines")
    args = ap.parse_args(argv)
    if not find_chromium():
        print("browser_check: no chromium found", file=sys.stderr)
        return 2
    status = 0
    with Browser(height=args.height) as browser:
        for i, page in enumerate(args.pages):
            r = browser.open(page, screenshot=args.screenshot if i == 0 else None, selector=args.selector)
            bad = problems(r)
            status |= bool(bad)
            r.pop("dom")
            if args.json:
                print(json.dumps({**r, "problems": bad}))
            else:
                print(f"{page}: load {r['load_ms']:.0f} ms (wall {r['wall_ms']:.0f} ms), {r['elements']} elements, "
                      f"{r['marks']} marks, {len(r['requests'])} requests; " + ("; ".join(bad) if bad else "ok"))
    return status


if __name__ == "__main__":
    sys.exit(main())


#: What a reader needs from a page's layout, measured in the page: elements wider than the window,
#: plots drawn below 150 dpi (pixels per CSS inch at 96 CSS px an inch), and highlights whose label
#: is not printed in the same paragraph (a legend swatch has no title and needs no label).
LAYOUT_PROBE = r"""JSON.stringify((() => {
  const W = document.documentElement.clientWidth;
  const overflow = [...document.querySelectorAll('body *')].filter(e => {
    const r = e.getBoundingClientRect(); return r.width > 0 && r.right > W + 1;
  }).map(e => e.tagName + (e.className ? '.' + e.className : '')).slice(0, 10);
  const lowDpi = [...document.images].filter(i => i.clientWidth > 0 && i.naturalWidth / i.clientWidth * 96 < 150)
    .map(i => i.alt + ' ' + i.naturalWidth + '/' + i.clientWidth);
  const unlabelled = [...document.querySelectorAll('mark[title]')].filter(m => {
    const shown = new Set([...m.parentElement.querySelectorAll('.lab')].map(l => l.textContent.trim()));
    return (m.title || '').split('; ').some(t => !shown.has(t.replace(/^[a-z]+: /, '').replace(/_/g, ' ').trim()));
  }).map(m => m.textContent).slice(0, 10);
  return {width: W, scrollWidth: document.documentElement.scrollWidth, overflow, lowDpi, unlabelled,
          marks: document.querySelectorAll('mark').length, images: document.images.length};
})())"""


def layout_problems(evaluated: dict) -> list[str]:
    """What :data:`LAYOUT_PROBE` found wrong (empty when the page reads well)."""
    out = []
    if evaluated["scrollWidth"] > evaluated["width"] + 1 or evaluated["overflow"]:
        out.append(f"wider than the window ({evaluated['scrollWidth']} > {evaluated['width']}): {evaluated['overflow']}")
    if evaluated["lowDpi"]:
        out.append(f"plots under 150 dpi: {evaluated['lowDpi']}")
    if evaluated["unlabelled"]:
        out.append(f"highlights without a visible label: {evaluated['unlabelled']}")
    return out
