#!/usr/bin/env python3
"""Drives Debian's headless Chromium for Entente's integration tests.

    tests/support/browser.py --out DIR [--chromium PATH] [--timeout SECONDS] [--insecure] SCRIPT.json

SCRIPT.json is a list of steps run in one tab of a fresh profile (cookies persist
from step to step):
    {"goto": URL, "name": NAME}              navigate and wait for the load event
    {"fill": CSS, "value": TEXT}             set an input's value
    {"submit": CSS, "name": NAME}            submit that form, wait for the page it leads to
    {"pdf": NAME}                            print the page to DIR/NAME.pdf
After "goto" and "submit" the page is recorded and DIR/NAME.png holds a full-page
screenshot. Prints {"steps": [{"name", "url", "status", "title", "text",
"screenshot"} or {"name", "pdf", "bytes"}]} on stdout; exits 2 with one line on
stderr naming the step that failed. The browser speaks the DevTools protocol over
--remote-debugging-pipe (file descriptors 3 and 4, NUL-terminated JSON), so no
websocket library is needed. Chromium and its profile are removed in every case.
"""
import argparse, base64, fcntl, json, os, select, shutil, subprocess, sys, tempfile, time


class Failure(Exception):
    pass


class Browser:
    def __init__(self, chromium, insecure, timeout):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="entente-chromium-")
        to_r, self.to_w = os.pipe()
        self.from_r, from_w = os.pipe()

        def wire():  # in the child: the pipe ends at the descriptors Chromium reads
            # Moved out of the way first: a pipe end may itself be 3 or 4, and dup2 of a
            # descriptor onto itself would leave it close-on-exec.
            read_end, write_end = fcntl.fcntl(to_r, fcntl.F_DUPFD, 10), fcntl.fcntl(from_w, fcntl.F_DUPFD, 10)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        args = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--no-default-browser-check", "--disable-extensions", "--remote-debugging-pipe",
                "--user-data-dir=" + self.profile, "--window-size=1200,900", "about:blank"]
        if insecure:
            args.insert(1, "--ignore-certificate-errors")
        try:
            self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL, preexec_fn=wire, close_fds=False)
        except FileNotFoundError:
            shutil.rmtree(self.profile, ignore_errors=True)
            raise Failure(f"{chromium} is not installed; run scripts/setup (it installs Debian's chromium)")
        os.close(to_r)
        os.close(from_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []
        self.session = None

    def close(self):
        try:
            self.process.kill()
            self.process.wait(timeout=10)
        except Exception:
            pass
        for fd in (self.to_w, self.from_r):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

    def _read_message(self, deadline):
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure("the browser did not answer in time")
            ready, _, _ = select.select([self.from_r], [], [], left)
            if ready:
                chunk = os.read(self.from_r, 1 << 20)
                if not chunk:
                    raise Failure("the browser exited")
                self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, params=None, session=True):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self.to_w, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise Failure(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_event(self, method):
        deadline = time.monotonic() + self.timeout
        while True:
            for i, event in enumerate(self.events):
                if event["method"] == method:
                    del self.events[i]
                    return event
            self.events.append(self._read_message(deadline))

    def attach(self):
        deadline = time.monotonic() + self.timeout
        while True:
            pages = [t for t in self.call("Target.getTargets", session=False)["targetInfos"] if t["type"] == "page"]
            if pages:
                break
            if time.monotonic() > deadline:
                raise Failure("the browser opened no page")
            time.sleep(0.05)
        self.session = self.call("Target.attachToTarget", {"targetId": pages[0]["targetId"], "flatten": True},
                                 session=False)["sessionId"]
        for domain in ("Page", "Network", "Runtime"):
            self.call(domain + ".enable")

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise Failure("script failed: " + result["exceptionDetails"].get("text", expression))
        return result["result"].get("value")

    def load(self, start):
        """Waits for the load that `start()` begins; returns the main document's status."""
        self.events = [e for e in self.events if e["method"] not in ("Page.loadEventFired", "Network.responseReceived")]
        start()
        self.wait_event("Page.loadEventFired")
        status = 0
        for event in self.events:
            if event["method"] == "Network.responseReceived" and event["params"].get("type") == "Document":
                status = event["params"]["response"]["status"]
        self.events = [e for e in self.events if e["method"] != "Network.responseReceived"]
        return status

    def record(self, name, status, out):
        metrics = self.call("Page.getLayoutMetrics")
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        shot = self.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                                    "clip": {"x": 0, "y": 0, "width": size["width"],
                                                             "height": min(size["height"], 16000), "scale": 1}})
        path = os.path.join(out, name + ".png")
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        return {"name": name, "url": self.evaluate("location.href"), "status": status,
                "title": self.evaluate("document.title"), "text": self.evaluate("document.body ? document.body.innerText : ''"),
                "screenshot": path}


def run(script, out, chromium, insecure, timeout):
    browser = Browser(chromium, insecure, timeout)
    results = []
    try:
        browser.attach()
        for number, step in enumerate(script, 1):
            where = f"step {number} ({step.get('name') or next(iter(step))})"
            try:
                if "goto" in step:
                    status = browser.load(lambda: browser.call("Page.navigate", {"url": step["goto"]}))
                    results.append(browser.record(step["name"], status, out))
                elif "fill" in step:
                    browser.evaluate(f"document.querySelector({json.dumps(step['fill'])}).value = "
                                     f"{json.dumps(step['value'])}")
                elif "submit" in step:
                    target = json.dumps(step["submit"])
                    status = browser.load(lambda: browser.evaluate(
                        f"(e => e.tagName === 'FORM' ? e.submit() : e.click())(document.querySelector({target}))"))
                    results.append(browser.record(step["name"], status, out))
                elif "pdf" in step:
                    pdf = base64.b64decode(browser.call("Page.printToPDF", {"printBackground": True})["data"])
                    path = os.path.join(out, step["pdf"] + ".pdf")
                    with open(path, "wb") as f:
                        f.write(pdf)
                    results.append({"name": step["pdf"] + ".pdf", "pdf": path, "bytes": len(pdf)})
                else:
                    raise Failure("unknown step " + json.dumps(step))
            except Failure as e:
                raise Failure(f"{where}: {e}")
    finally:
        browser.close()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--insecure", action="store_true")
    parser.add_argument("script")
    args = parser.parse_args()
    try:
        with open(args.script, encoding="utf-8") as f:
            script = json.load(f)
        os.makedirs(args.out, exist_ok=True)
        steps = run(script, args.out, args.chromium, args.insecure, args.timeout)
    except (Failure, OSError, ValueError) as e:
        print(f"browser.py: {e}", file=sys.stderr)
        sys.exit(2)
    json.dump({"steps": steps}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
