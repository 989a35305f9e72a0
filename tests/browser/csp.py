"""Content-Security-Policy violations in the browser tests: every context the tests open reports
them, from the page's `securitypolicyviolation` events and from Chromium's console.

A violation is an inline script or style without the nonce, a style="" or on*="" attribute, an
eval, or a load from a source the policy does not name; the browser blocks each of them, so a
page that causes one is broken in production too.
"""

from __future__ import annotations

# Runs in every frame before the page's own scripts. The page keeps its violations as well as
# reporting them, so that those of a page still open are read even if a report is in flight.
LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  const violation = {
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
    page: document.location.href,
  };
  (window.__gisportalCsp = window.__gisportalCsp || []).push(violation);
  if (window.__gisportalCspReport) window.__gisportalCspReport(violation);
}, true);
"""
STORED = "() => window.__gisportalCsp || []"


def describe(violation: dict) -> str:
    where = f"{violation.get('source') or violation.get('page')}:{violation.get('line') or 0}"
    blocked = violation.get("blocked") or "inline"
    sample = f" {violation['sample']!r}" if violation.get("sample") else ""
    return f"{violation.get('directive')} blocked {blocked} at {where}{sample}"


class CspWatch:
    """Collects the violations of the contexts it watches, for the test that is running."""

    def __init__(self) -> None:
        self.contexts: list = []
        self.found: list[str] = []

    def start(self) -> None:
        self.contexts = []
        self.found = []

    def watch(self, context) -> None:
        context.add_init_script(script=LISTENER)
        context.expose_binding(
            "__gisportalCspReport", lambda _source, violation: self._add(describe(violation))
        )
        context.on("console", self._console)
        self.contexts.append(context)

    def _console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self._add(message.text)

    def _add(self, text: str) -> None:
        if text not in self.found:
            self.found.append(text)

    def violations(self) -> list[str]:
        """Everything reported so far, with what the open pages hold and have not yet sent."""
        from playwright.sync_api import Error as PlaywrightError

        for context in self.contexts:
            for page in context.pages:
                try:
                    stored = page.evaluate(STORED)
                except PlaywrightError:  # closed or navigating: what it held was reported
                    continue
                for violation in stored:
                    self._add(describe(violation))
        return list(self.found)

    def take(self) -> list[str]:
        """The violations so far, forgotten here and in the open pages (for a test that causes
        them on purpose)."""
        found = self.violations()
        for context in self.contexts:
            for page in context.pages:
                page.evaluate("() => { window.__gisportalCsp = []; }")
        self.found.clear()
        return found


class WatchedBrowser:
    """The test browser, every new context of which reports to `watch`."""

    def __init__(self, browser, watch: CspWatch) -> None:
        self._browser = browser
        self.csp = watch

    def new_context(self, **kwargs):
        context = self._browser.new_context(**kwargs)
        self.csp.watch(context)
        return context

    def __getattr__(self, name):
        return getattr(self._browser, name)
