"""Headless Chromium for the page benchmarks: launch, network conditions, transfer sizes."""

import contextlib

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Slow 4G as the benchmarks define it: 150 ms latency, 1.6 Mbit/s down, 750 kbit/s up.
SLOW_4G = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1_600_000 / 8,
    "uploadThroughput": 750_000 / 8,
}
LOCALHOST = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}


@contextlib.contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def fresh_page(browser, network: dict = LOCALHOST):
    """A page with an empty cache, under the given network conditions, CPU not throttled."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", network)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    try:
        yield page, cdp
    finally:
        context.close()


class Transfers:
    """Bytes on the wire per response (body as encoded, without headers), by resource type."""

    def __init__(self, cdp):
        self.responses: dict[str, dict] = {}
        cdp.on("Network.responseReceived", self._received)
        cdp.on("Network.loadingFinished", self._finished)

    def _received(self, event):
        response = event["response"]
        self.responses[event["requestId"]] = {
            "type": event["type"],
            "url": response["url"],
            "encoding": response["headers"].get("content-encoding")
            or response["headers"].get("Content-Encoding")
            or "",
            "headers": response.get("encodedDataLength", 0),
        }

    def _finished(self, event):
        response = self.responses.get(event["requestId"])
        if response is not None:
            # encodedDataLength of the finished load counts headers and body; the headers'
            # share was reported with the response.
            response["bytes"] = event["encodedDataLength"] - response["headers"]

    def of_types(self, *types: str) -> list[dict]:
        return [r for r in self.responses.values() if r["type"] in types and "bytes" in r]
