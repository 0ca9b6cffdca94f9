"""The real app in headless Chromium: every page renders, draws its charts, speaks Swedish,
passes axe-core's WCAG 2.1 A/AA rules and can be reached by keyboard."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, ViewportSize

from access.roles import system_user
from tests import browser as harness

MIN_PAGES = 6


@pytest.fixture(scope="session")
def app(browser_prerequisites: None) -> Iterator[harness.RunningApp]:
    with harness.running_app() as running:
        yield running


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    page = harness.new_page(chromium)
    try:
        yield page
    finally:
        page.context.close()


@pytest.fixture
def nav_pages(app: harness.RunningApp, page: Page) -> list[harness.NavPage]:
    harness.open_app_page(page, app.base_url + "/")
    return harness.discover_pages(page)


def page_problems(page: Page) -> list[str]:
    """Everything wrong with the page that is open, as readable lines."""
    problems = [f"felruta: {text}" for text in harness.error_messages(page)]

    counts = harness.chart_trace_counts(page)
    problems += [
        f"diagram nr {index + 1} av {len(counts)} ritade inga serier"
        for index, count in enumerate(counts)
        if count == 0
    ]

    lang = harness.html_lang(page)
    if lang != "sv":
        problems.append(f'<html lang="{lang}">, väntade "sv"')

    blocking, allowed = harness.blocking_violations(harness.run_axe(page))
    problems += [f"axe {violation.describe()}" for violation in blocking]
    for violation in allowed:
        print(f"tillåten (Streamlits egen markup): {violation.describe()}")
    return problems


@pytest.mark.slow
@pytest.mark.browser
def test_every_page_renders_charts_and_passes_axe(
    app: harness.RunningApp, page: Page, nav_pages: list[harness.NavPage], subtests: pytest.Subtests
) -> None:
    assert len(nav_pages) >= MIN_PAGES, f"navigeringen visar bara {nav_pages}"
    for nav_page in nav_pages:
        with subtests.test(msg=nav_page.slug, url=nav_page.url):
            log_offset = app.log_size()
            harness.open_app_page(page, nav_page.url)
            # The screenshot is taken first so that a failing page can be looked at.
            shot = harness.save_screenshot(page, nav_page.slug)
            problems = page_problems(page)
            assert not problems, (
                f"{nav_page.label} ({nav_page.url}), bild: {shot}\n  "
                + "\n  ".join(problems)
                + f"\n--- appens logg för sidan ---\n{app.log_since(log_offset)}"
            )


@pytest.mark.slow
@pytest.mark.browser
def test_tab_reaches_sidebar_filters_and_page_links(app: harness.RunningApp, page: Page) -> None:
    harness.open_app_page(page, app.base_url + "/")
    stops = harness.tab_through(page)
    trail = "\n  ".join(stop.description for stop in stops)

    assert len({stop.description for stop in stops}) > 1, f"fokus flyttades inte:\n  {trail}"
    assert any(stop.is_nav_link and stop.visible for stop in stops), (
        f"Tab nådde ingen synlig sidlänk:\n  {trail}"
    )
    assert any(stop.in_sidebar_filters and stop.visible for stop in stops), (
        f"Tab nådde inget synligt filter i sidopanelen:\n  {trail}"
    )


NARROW: ViewportSize = {"width": 420, "height": 900}


def _goals_page(app: harness.RunningApp, page: Page, query: str = "") -> None:
    harness.open_app_page(page, app.base_url + "/")
    goals = next(p for p in harness.discover_pages(page) if p.label == "Mål")
    harness.open_app_page(page, harness.with_query(goals.url, query))


def _scorecard_geometry(page: Page) -> dict:
    """How the scorecard sits: its scroll region, and the narrowest month cell."""
    return page.evaluate(
        """() => {
            const region = document.querySelector('.lb-scorecard');
            const cells = [...region.querySelectorAll('td.cell')];
            const header = [...region.querySelectorAll('thead th')].at(-1).getBoundingClientRect();
            const box = region.getBoundingClientRect();
            return {
                scrollWidth: region.scrollWidth,
                clientWidth: region.clientWidth,
                narrowestCell: Math.min(...cells.map(c => c.getBoundingClientRect().width)),
                valueNowInView: header.left >= box.left && header.right <= box.right + 1,
            };
        }"""
    )


@pytest.mark.slow
@pytest.mark.browser
def test_the_overview_of_a_period_passes_axe(app: harness.RunningApp, page: Page) -> None:
    """A chosen period adds its own counts and the annual-report table to Översikt."""
    harness.open_app_page(page, app.base_url + "/?period=2019")
    assert page.get_by_role("heading", name="Det här har hänt").count() == 1
    heading = "Underlag till årsrapport och Uppföljning Finsam, år 2019"
    assert page.get_by_role("heading", name=heading).count() == 1
    shot = harness.save_screenshot(page, "oversikt_period")
    problems = page_problems(page)
    assert not problems, f"bild: {shot}\n  " + "\n  ".join(problems)


@pytest.mark.slow
@pytest.mark.browser
def test_goals_scorecard_and_a_trend_pass_axe_and_work_by_keyboard(
    app: harness.RunningApp, page: Page
) -> None:
    _goals_page(app, page)
    headers = page.locator(".lb-scorecard thead th").all_inner_texts()
    assert headers[0] == "Mål" and headers[-1] == "Värde nu"
    assert len(headers) == 14, headers  # twelve months between
    assert page.locator('.lb-scorecard tbody th[scope="row"]').count() >= 10
    assert page.locator(".lb-scorecard caption").count() == 1
    geometry = _scorecard_geometry(page)
    assert geometry["valueNowInView"], geometry  # it opens on the newest months
    problems = page_problems(page)
    assert not problems, "\n  ".join(problems)

    # The table scrolls by keyboard once focused, and the trend opens from the list.
    region = page.locator(".lb-scorecard")
    region.focus()
    before = page.evaluate("() => document.querySelector('.lb-scorecard').scrollLeft")
    page.keyboard.press("ArrowLeft")
    page.wait_for_timeout(300)
    assert page.evaluate("() => document.querySelector('.lb-scorecard').scrollLeft") != before
    page.get_by_role("combobox", name="Öppna ett måls trend").focus()
    page.keyboard.type("30 % av deltagarna")
    page.wait_for_timeout(1000)
    page.keyboard.press("Enter")
    harness.wait_for_app_idle(page)
    assert page.get_by_role("heading", name="Trend: 30 % av deltagarna").count() == 1
    assert harness.chart_trace_counts(page) == [2]  # the line and the removal
    shot = harness.save_screenshot(page, "mal_trend")
    problems = page_problems(page)
    assert not problems, f"bild: {shot}\n  " + "\n  ".join(problems)


@pytest.mark.slow
@pytest.mark.browser
def test_goals_scorecard_scrolls_rather_than_squashes_in_meeting_mode_on_a_phone(
    app: harness.RunningApp, page: Page
) -> None:
    page.set_viewport_size(NARROW)
    _goals_page(app, page, harness.MEETING_QUERY)
    geometry = _scorecard_geometry(page)
    assert geometry["scrollWidth"] > geometry["clientWidth"], geometry
    # A month keeps room for its symbol and word at meeting mode's size.
    assert geometry["narrowestCell"] >= 60, geometry
    assert geometry["valueNowInView"], geometry
    shot = harness.save_screenshot(page, "mal_mobil_moteslage")
    problems = page_problems(page)
    assert not problems, f"bild: {shot}\n  " + "\n  ".join(problems)


# The allow-list and page names are plain logic: checked without a browser.


def _node(target: str, *within: str) -> harness.AxeNode:
    return harness.AxeNode(target=target, within=within)


def test_allow_list_exempts_only_the_named_rule_inside_the_named_widget() -> None:
    allow = (harness.AllowedViolation("list", "stSidebarNavItems", "Streamlits navigering"),)
    nav_ul = _node("ul", "stSidebarNavItems", "stSidebarNav", "stSidebar")
    own_ul = _node("#main ul", "stMarkdownContainer", "stMain")
    found = [
        harness.AxeViolation("list", "serious", "Lista", (nav_ul,)),
        harness.AxeViolation("list", "serious", "Lista", (own_ul,)),
        harness.AxeViolation("color-contrast", "critical", "Kontrast", (nav_ul,)),
        harness.AxeViolation("region", "moderate", "Landmärke", (own_ul,)),
    ]

    blocking, allowed = harness.blocking_violations(found, allow)

    assert [(v.rule_id, v.nodes) for v in blocking] == [
        ("list", (own_ul,)),
        ("color-contrast", (nav_ul,)),
    ]
    assert [v.nodes for v in allowed] == [(nav_ul,)]


def test_allow_list_keeps_the_rest_of_a_partly_allowed_violation() -> None:
    allow = (harness.AllowedViolation("listitem", "stSidebarNavItems", "Streamlits navigering"),)
    nav_li = _node("nav li", "stSidebarNavItems")
    own_li = _node("#main li", "stMain")
    found = [harness.AxeViolation("listitem", "serious", "Listpost", (nav_li, own_li))]

    blocking, allowed = harness.blocking_violations(found, allow)

    assert [v.nodes for v in blocking] == [(own_li,)]
    assert len(allowed) == 1


def test_every_allow_list_entry_is_narrow_and_explained() -> None:
    for entry in harness.STREAMLIT_CHROME_ALLOW_LIST:
        assert entry.rule_id and entry.within.startswith("st") and entry.reason


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        ("http://127.0.0.1:8501/", "start"),
        ("http://127.0.0.1:8501/utfall", "utfall"),
        ("http://127.0.0.1:8501/ladda_upp", "ladda_upp"),
        ("http://127.0.0.1:8501/a/b c", "a_b_c"),
    ],
)
def test_page_slug_is_a_safe_file_name(url: str, slug: str) -> None:
    assert harness.NavPage(label="x", url=url).slug == slug


# Text from files is inert: markup in a project, district or goal name shows as text on the
# pages and runs nothing (no dialog opens, no element is made from it).

PROJECT = "<img src=x onerror=alert(1)>"
DISTRICT = '<a href="javascript:alert(2)">Rinkeby</a>'
HEADER = "deltagare_id;insats;kommun;stadsdel;kon;startdatum;slutdatum;avslutsorsak\n"


def _export() -> bytes:
    rows = "".join(
        f"X{i};{PROJECT};Stockholm;{DISTRICT if i % 2 else 'Kista'};{'K' if i % 3 else 'M'};"
        f"2018-0{1 + i % 9}-01;{'2019-01-10;arbete' if i % 2 else ';'}\n"
        for i in range(40)
    )
    return (HEADER + rows).encode()


@pytest.fixture(scope="module")
def hostile_app(browser_prerequisites: None, tmp_path_factory) -> Iterator[harness.RunningApp]:
    url = f"sqlite:///{tmp_path_factory.mktemp('inert') / 'app.db'}"
    harness.seed_database(url, [("hostile_2019-03.csv", _export())])
    _add_goal(url)
    with harness.running_app(database_url=url) as running:
        yield running


def _add_goal(url: str) -> None:
    from goals.model import Goal
    from goals.service import create_goal
    from store import Store

    store = Store(url)
    goal = Goal(id="g", project=PROJECT, title=PROJECT, period=DISTRICT, kind="manual")
    create_goal(store, goal, system_user("test"))
    store.close()


def _svg_text(page: Page) -> str:
    return page.evaluate(
        "() => [...document.querySelectorAll('.main-svg text')].map(t => t.textContent).join('\\n')"
    )


@pytest.mark.slow
@pytest.mark.browser
def test_markup_from_files_shows_as_text_and_runs_nothing(
    hostile_app: harness.RunningApp, page: Page
) -> None:
    dialogs = harness.record_dialogs(page)
    harness.open_app_page(page, hostile_app.base_url + "/")
    pages = {p.label: p for p in harness.discover_pages(page)}

    harness.open_app_page(page, pages["Mål"].url)
    body = page.inner_text("body")
    assert PROJECT in body and DISTRICT in body

    harness.open_app_page(page, pages["Kommuner"].url)
    unit = page.get_by_role("radio", name="Stadsdel")
    if unit.count():
        unit.first.click()
        harness.wait_for_app_idle(page)

    for label in ("Översikt", "Utfall", "Kommuner", "Trender", "Datakvalitet"):
        harness.open_app_page(page, pages[label].url)
        if label == "Trender":
            # A project legend or hover label is built by the chart builders.
            assert "javascript:" not in page.evaluate(
                "() => [...document.querySelectorAll('.main-svg a')].map(a => a.href).join()"
            )
    # No element was made from the names, and no dialog opened anywhere.
    for label in ("Mål", "Kommuner", "Trender"):
        harness.open_app_page(page, pages[label].url)
        assert page.locator('img[src="x"]').count() == 0, label
        assert page.locator('a[href^="javascript"]').count() == 0, label
    assert dialogs == []
