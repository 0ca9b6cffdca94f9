"""Drive the real Streamlit app in headless Chromium: start it, open pages, check, screenshot.

Shared by `tests/test_browser.py` and `scripts/screenshots.py`, so the test and the pictures
people look at come from the same start-up and the same notion of "the page has finished".
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Dialog, Page, ViewportSize, sync_playwright

from access.roles import system_user
from ui.filters import QUERY_KEYS

REPO_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_PATH = Path("/usr/bin/chromium")
AXE_SCRIPT = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOT_DIR = REPO_ROOT / "artifacts" / "screenshots"

# Keep Debian's Chromium quiet and offline; --no-sandbox because CI runs as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 1366, "height": 900}

# WCAG 2.1 AA is what lag 2018:1937 asks of public bodies in practice.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = frozenset({"serious", "critical"})

# Meeting mode is asked for in the URL, with the key the app's filters read.
MEETING_QUERY = f"{QUERY_KEYS['meeting_mode']}=1"

APP_START_TIMEOUT_S = 180.0
PAGE_TIMEOUT_MS = 90_000

NAV_LINK_SELECTOR = (
    '[data-testid="stSidebarNav"] a, '
    'a[data-testid="stSidebarNavLink"], '
    'a[data-testid="stTopNavLink"]'
)
# Streamlit's "View N more" button: past a handful of pages the rest are folded away.
NAV_EXPAND_SELECTOR = '[data-testid="stSidebarNavViewButton"]'
ERROR_SELECTOR = '[data-testid="stException"], [data-testid="stAlertContentError"]'
CHART_SELECTOR = '[data-testid="stPlotlyChart"]'
# What a drawn trace leaves in the SVG: cartesian/pie/indicator traces are `g.trace`, a
# sankey draws nodes, a table `g.table`, a heatmap `g.hm`.
DRAWN_TRACE_SELECTOR = (
    ".main-svg g.trace, .main-svg .sankey-node, .main-svg g.table, .main-svg g.hm"
)
SIDEBAR_FILTERS_SELECTOR = '[data-testid="stSidebarUserContent"]'


@dataclass(frozen=True)
class AxeNode:
    """One failing element: axe's selector, a bit of its HTML, and the Streamlit widgets
    (`data-testid` of the element and its ancestors, innermost first) it sits in."""

    target: str
    html: str = ""
    within: tuple[str, ...] = ()


@dataclass(frozen=True)
class AllowedViolation:
    """A known axe finding inside Streamlit's own markup, which the app cannot change.

    Matched by rule id and the Streamlit widget (its `data-testid`) holding the element:
    the same rule anywhere else still fails.
    """

    rule_id: str
    within: str
    reason: str

    def covers(self, rule_id: str, node: AxeNode) -> bool:
        return rule_id == self.rule_id and self.within in node.within


STREAMLIT_CHROME_ALLOW_LIST: tuple[AllowedViolation, ...] = (
    # With sections (st.navigation given a dict), Streamlit 1.67 renders each section as a
    # <div> holding a <header> and the <li> links directly inside <ul
    # data-testid="stSidebarNavItems">; the markup is Streamlit's, not the app's.
    AllowedViolation(
        "list", "stSidebarNavItems", "Streamlits sektionerade sidnavigering: <div> i <ul>"
    ),
    AllowedViolation(
        "listitem", "stSidebarNavItems", "Streamlits sektionerade sidnavigering: <li> i <div>"
    ),
)


@dataclass(frozen=True)
class NavPage:
    """A page as the sidebar navigation links to it."""

    label: str
    url: str

    @property
    def path(self) -> str:
        return urlsplit(self.url).path.strip("/")

    @property
    def slug(self) -> str:
        """File-name-safe name for the page; the default page sits at '/', called 'start'."""
        return re.sub(r"[^A-Za-z0-9_-]+", "_", self.path) or "start"


@dataclass(frozen=True)
class AxeViolation:
    rule_id: str
    impact: str
    help: str
    nodes: tuple[AxeNode, ...]

    def describe(self, max_targets: int = 3) -> str:
        shown = ", ".join(node.target for node in self.nodes[:max_targets])
        more = f" (+{len(self.nodes) - max_targets})" if len(self.nodes) > max_targets else ""
        first_html = f"\n      {self.nodes[0].html}" if self.nodes and self.nodes[0].html else ""
        return f"[{self.impact}] {self.rule_id}: {self.help} -> {shown}{more}{first_html}"


@dataclass(frozen=True)
class RunningApp:
    base_url: str
    log_path: Path
    pid: int = 0

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def log_since(self, offset: int, max_chars: int = 3000) -> str:
        """What the app logged after `offset`, so a failure shows only its own page's log."""
        with self.log_path.open("rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")[-max_chars:]


def missing_prerequisites() -> list[str]:
    """What is missing on this machine for the browser test, in words for a skip reason."""
    missing = []
    if not CHROMIUM_PATH.exists():
        missing.append(f"{CHROMIUM_PATH} saknas (apt-get install -y chromium)")
    if not AXE_SCRIPT.exists():
        missing.append(f"{AXE_SCRIPT.relative_to(REPO_ROOT)} saknas (npm ci)")
    return missing


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_health(base_url: str, process: subprocess.Popen, log_path: Path, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"Appen avslutades med kod {process.returncode} innan den svarade:\n"
                + log_path.read_text(errors="replace")[-4000:]
            )
        try:
            with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise TimeoutError(
        f"Appen svarade inte på /_stcore/health inom {timeout:.0f} s:\n"
        + log_path.read_text(errors="replace")[-4000:]
    )


def _stop_process_group(process: subprocess.Popen) -> None:
    """Stop streamlit and anything it started; it runs in its own process group."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextlib.contextmanager
def running_app(
    app_script: Path = REPO_ROOT / "app.py",
    database_url: str | None = None,
    timeout: float = APP_START_TIMEOUT_S,
) -> Iterator[RunningApp]:
    """Start `streamlit run` on a free port with a fresh SQLite database; always stop it.

    An empty database makes the app load its demo data, which is what the pages are
    checked against.
    """
    with tempfile.TemporaryDirectory(prefix="lagesbild-browser-") as tmp:
        tmp_dir = Path(tmp)
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "DATABASE_URL": database_url or f"sqlite:///{tmp_dir / 't.db'}",
            "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        }
        command = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(app_script),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
        ]
        log_path = tmp_dir / "streamlit.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command,
                cwd=app_script.parent,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                _wait_for_health(base_url, process, log_path, timeout)
                yield RunningApp(base_url=base_url, log_path=log_path, pid=process.pid)
            finally:
                _stop_process_group(process)


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium through Playwright; Playwright's own browser download is not used."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM_PATH), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser: Browser) -> Page:
    context = browser.new_context(viewport=VIEWPORT, locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    return page


def seed_database(url: str, files: list[tuple[str, bytes]]) -> None:
    """Import exports into the app's database before it starts, through the import path."""
    from store import Store
    from store.importer import import_export

    store = Store(url)
    try:
        for name, data in files:
            outcome = import_export(store, data, name, actor=system_user("test"))
            if outcome.status != "imported":
                raise RuntimeError(f"{name}: {outcome.message}")
    finally:
        store.close()


def record_dialogs(page: Page) -> list[str]:
    """Every alert/confirm/prompt the page opens, dismissed at once; a script that runs from
    file text would show up here."""
    opened: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        opened.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return opened


def wait_for_app_idle(page: Page, timeout_ms: int = PAGE_TIMEOUT_MS, settle_ms: int = 500) -> None:
    """Wait until the script run has finished and the charts have had time to draw.

    Streamlit marks its root with the script state; "notRunning" after a run means every
    element of this run has arrived. Plotly then draws asynchronously, hence the settle.
    """
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app
                && app.getAttribute("data-test-script-state") === "notRunning"
                && !document.querySelector('[data-testid="stStatusWidgetRunningIcon"]');
        }""",
        timeout=timeout_ms,
    )
    with contextlib.suppress(Exception):
        page.wait_for_load_state("networkidle", timeout=10_000)
    _wait_for_charts_drawn(page, timeout_ms=10_000)
    page.wait_for_timeout(settle_ms)


def _wait_for_charts_drawn(page: Page, timeout_ms: int) -> None:
    """Give every chart container the chance to get its SVG; a chart that never does fails
    later in `chart_trace_counts`, with the page named."""
    with contextlib.suppress(Exception):
        page.wait_for_function(
            """([chart, drawn]) => [...document.querySelectorAll(chart)]
                .every(c => c.querySelector(drawn))""",
            arg=[CHART_SELECTOR, DRAWN_TRACE_SELECTOR],
            timeout=timeout_ms,
        )


def open_app_page(page: Page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    wait_for_app_idle(page)


def discover_pages(page: Page) -> list[NavPage]:
    """The pages as the navigation shows them, in order, without duplicates."""
    expand = page.locator(NAV_EXPAND_SELECTOR)
    if expand.count() and "more" in expand.first.inner_text():
        expand.first.click()
    links = page.eval_on_selector_all(
        NAV_LINK_SELECTOR,
        # The label without the Material icon's ligature text that shares the link.
        """els => els.map(a => ({
            label: (a.querySelector('[data-testid="stMarkdownContainer"]') || a).innerText.trim(),
            url: a.href,
        }))""",
    )
    seen: dict[str, NavPage] = {}
    for link in links:
        url = link["url"].split("?")[0].split("#")[0]
        seen.setdefault(url, NavPage(label=link["label"], url=url))
    return list(seen.values())


def error_messages(page: Page) -> list[str]:
    """Texts of exception boxes and error alerts on the page.

    An exception box holds an error alert of its own, so the same text can match twice.
    """
    texts = (text.strip()[:500] for text in page.locator(ERROR_SELECTOR).all_inner_texts())
    return list(dict.fromkeys(texts))


def chart_trace_counts(page: Page) -> list[int]:
    """For each Plotly chart on the page, how many traces it actually drew."""
    return page.eval_on_selector_all(
        CHART_SELECTOR,
        "(charts, drawn) => charts.map(c => c.querySelectorAll(drawn).length)",
        DRAWN_TRACE_SELECTOR,
    )


def html_lang(page: Page) -> str:
    return page.evaluate("() => document.documentElement.lang")


def run_axe(page: Page, tags: list[str] = WCAG_TAGS) -> list[AxeViolation]:
    """Inject the pinned axe-core and return every violation for the given WCAG tags."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    raw = page.evaluate(
        r"""async (tags) => {
            const result = await axe.run(
                document, {runOnly: {type: "tag", values: tags}, elementRef: true});
            const within = el => {
                const ids = [];
                for (let e = el; e; e = e.parentElement) {
                    if (e.dataset && e.dataset.testid) ids.push(e.dataset.testid);
                }
                return ids;
            };
            return result.violations.map(v => ({
                id: v.id, impact: v.impact || "", help: v.help,
                nodes: v.nodes.map(n => ({
                    target: n.target.join(" "),
                    html: (n.html || "").replace(/\s+/g, " ").slice(0, 160),
                    within: n.element ? within(n.element) : [],
                })),
            }));
        }""",
        tags,
    )
    return [
        AxeViolation(
            rule_id=v["id"],
            impact=v["impact"],
            help=v["help"],
            nodes=tuple(
                AxeNode(target=n["target"], html=n["html"], within=tuple(n["within"]))
                for n in v["nodes"]
            ),
        )
        for v in raw
    ]


def blocking_violations(
    violations: list[AxeViolation],
    allow_list: tuple[AllowedViolation, ...] = STREAMLIT_CHROME_ALLOW_LIST,
) -> tuple[list[AxeViolation], list[AxeViolation]]:
    """Split serious/critical findings into (blocking, allowed) by the allow-list.

    The allow-list works per element: a rule allowed for one Streamlit widget still fails
    on any other element.
    """
    blocking: list[AxeViolation] = []
    allowed: list[AxeViolation] = []
    for violation in violations:
        if violation.impact not in BLOCKING_IMPACTS:
            continue
        kept = tuple(
            node
            for node in violation.nodes
            if not any(a.covers(violation.rule_id, node) for a in allow_list)
        )
        if kept:
            blocking.append(AxeViolation(violation.rule_id, violation.impact, violation.help, kept))
        if len(kept) < len(violation.nodes):
            allowed.append(violation)
    return blocking, allowed


def save_screenshot(page: Page, name: str, directory: Path = SCREENSHOT_DIR) -> Path:
    """Full-page PNG of the page as it stands.

    Streamlit scrolls inside its own container, so a plain full-page screenshot stops at the
    viewport: the viewport is grown to the content height for the shot, then restored.
    """
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.png"
    viewport = page.viewport_size or VIEWPORT
    content_height = page.evaluate(
        """() => Math.max(...[
            document.documentElement,
            document.querySelector('[data-testid="stAppViewContainer"]'),
            document.querySelector('[data-testid="stMain"]'),
        ].filter(Boolean).map(el => el.scrollHeight))"""
    )
    page.set_viewport_size(
        {"width": viewport["width"], "height": max(viewport["height"], content_height)}
    )
    try:
        page.wait_for_timeout(300)
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(viewport)
    return path


def with_query(url: str, query: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{query}" if query else url


@dataclass(frozen=True)
class FocusStop:
    """Where one Tab press put the focus."""

    description: str
    in_sidebar_filters: bool
    is_nav_link: bool
    visible: bool


def tab_through(page: Page, presses: int = 40) -> list[FocusStop]:
    """Press Tab from the top of the page and record each focused element."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.locator("body").focus()
    stops: list[FocusStop] = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        info = page.evaluate(
            r"""([filters, nav]) => {
                const el = document.activeElement;
                if (!el || el === document.body) return null;
                const r = el.getBoundingClientRect();
                const style = getComputedStyle(el);
                const testid = el.getAttribute("data-testid");
                const label = (el.getAttribute("aria-label") || el.innerText || "")
                    .replace(/\s+/g, " ").trim();
                return {
                    description: el.tagName.toLowerCase() + (testid ? `[${testid}]` : "")
                        + (label ? ` "${label.slice(0, 40)}"` : ""),
                    in_sidebar_filters: !!el.closest(filters),
                    is_nav_link: el.matches(nav),
                    visible: r.width > 0 && r.height > 0 && style.visibility !== "hidden"
                        && style.display !== "none",
                };
            }""",
            [SIDEBAR_FILTERS_SELECTOR, NAV_LINK_SELECTOR],
        )
        if info is not None:
            stops.append(FocusStop(**info))
    return stops
