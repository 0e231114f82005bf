"""Headless Chromium driven over the DevTools protocol (a websocket, no extra packages): open a page, read its
text, click, take a screenshot. Flags from FINDINGS.md: without the background-networking ones Chromium keeps
trying to reach Google's hosts through this machine's closed network."""

import base64
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from websockets.sync.client import connect

from ca_assets_tests.support.local_server import free_port

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Page:
    def __init__(self, websocket):
        self._ws = websocket
        self._id = 0

    def call(self, method: str, **params) -> dict:
        self._id += 1
        self._ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            message = json.loads(self._ws.recv())
            if message.get("id") == self._id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def goto(self, url: str) -> None:
        self.call("Page.navigate", url=url)

    def evaluate(self, expression: str):
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

    def text(self) -> str:
        return self.evaluate("document.body ? document.body.innerText : ''") or ""

    def wait_for_text(self, *needles: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while True:
            text = self.text()
            if all(needle in text for needle in needles):
                return text
            if time.monotonic() > deadline:
                missing = [needle for needle in needles if needle not in text]
                raise TimeoutError(f"page never showed {missing}; it shows: {text[:2000]!r}")
            time.sleep(0.5)

    def click(self, x: float, y: float) -> None:
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)

    def click_on(self, selector: str) -> None:
        """A real mouse click at the middle of the first element the CSS selector finds (scrolled into view)."""
        box = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); if (!e) return null;"
            " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
            " return [r.left + r.width / 2, r.top + r.height / 2]; })()"
        )
        if box is None:
            raise LookupError(f"no {selector!r} on the page: {self.text()[:500]!r}")
        self.click(*box)

    def type_into(self, selector: str, text: str) -> None:
        """Focus the field and type the text as keyboard input."""
        self.click_on(selector)
        self.call("Input.insertText", text=text)

    def press(self, key: str) -> None:
        """One printable key, down and up (a page's keydown handlers see it)."""
        self.call("Input.dispatchKeyEvent", type="keyDown", key=key, text=key)
        self.call("Input.dispatchKeyEvent", type="keyUp", key=key)

    def screenshot(self, path: Path) -> None:
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"]))


@contextmanager
def browser_page(width: int = 1600, height: int = 1000, mobile: bool = False) -> Iterator[Page]:
    port = free_port()
    profile = tempfile.mkdtemp(prefix="chromium_")
    process = subprocess.Popen(
        [chromium(), *FLAGS, f"--user-data-dir={profile}", f"--remote-debugging-port={port}",
         f"--window-size={width},{height}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json", timeout=2) as response:
                    targets = json.load(response)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("Chromium did not start") from None
                time.sleep(0.2)
        url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
        with connect(url, max_size=100_000_000) as websocket:
            page = Page(websocket)
            page.call("Page.enable")
            if mobile:  # a phone's viewport: device-width layout, as on a phone's browser
                page.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=2, mobile=True)
            yield page
    finally:
        process.kill()
        process.wait()
        shutil.rmtree(profile, ignore_errors=True)
