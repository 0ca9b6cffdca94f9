"""The HTML meeting pack in headless Chromium: no request leaves the file, every chart draws."""

from __future__ import annotations

import pytest

from demo.load import load_demo_set
from reports.content import build_report
from reports.html import render_html
from store import Store
from tests import browser as harness

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_the_pack_opens_offline_and_draws_every_chart(tmp_path, chromium) -> None:
    store = Store(f"sqlite:///{tmp_path / 'demo.db'}")
    load_demo_set(store)
    content = build_report(store, "Brobygget")
    store.close()
    path = tmp_path / "motesunderlag.html"
    path.write_text(render_html(content), encoding="utf-8")
    url = path.as_uri()

    requests: list[str] = []
    context = chromium.new_context(viewport=harness.VIEWPORT)
    page = context.new_page()

    def guard(route) -> None:
        requested = route.request.url
        requests.append(requested)
        if requested == url:
            route.continue_()
        else:
            route.abort()

    page.route("**/*", guard)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(url, wait_until="load")
        keys = [chart.key for chart in content.figures()]
        assert len(keys) >= 6
        for key in keys:
            page.wait_for_selector(f"#diagram-{key} .main-svg", timeout=30_000)
            drawn = page.locator(f"#diagram-{key} :is({harness.DRAWN_TRACE_SELECTOR})").count()
            assert drawn > 0, f"diagrammet {key} ritade inga serier"
        assert page.evaluate("document.documentElement.lang") == "sv"
        assert page.get_by_role("heading", name="Bilaga: definitioner").count() == 1
    finally:
        context.close()

    assert errors == []
    assert [r for r in requests if r != url] == []
    assert requests == [url]
