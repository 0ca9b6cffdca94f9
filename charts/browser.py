"""Is there a browser for static chart images? PNG downloads and the PDF pack need one.

Plotly draws PNG and SVG through kaleido, which drives an installed Chrome or Chromium
(nothing is downloaded). Without one, kaleido fails in a background thread and the caller
waits for ever, so every static export asks here first and goes without its images instead.
"""

from __future__ import annotations

import os
import shutil

#: What is off without a browser, and how to switch it on, for the CLI and the pages.
NO_BROWSER_TEXT = (
    "Chrome eller Chromium saknas på den här datorn, så diagrammen kan inte sparas som "
    "bilder: PNG-nedladdningarna är avstängda och mötesunderlaget som PDF får tabellerna "
    "men inga diagram. Installera Chromium (`apt-get install chromium` på Debian och "
    "Ubuntu) eller Chrome (Windows och macOS), eller ange webbläsaren i BROWSER_PATH. "
    "HTML-underlaget och CSV/Excel fungerar som vanligt."
)


def chart_browser() -> str | None:
    """The browser kaleido would start, when it exists and can run; otherwise ``None``.

    Uses kaleido's own lookup (``BROWSER_PATH`` first, then ``PATH`` and the usual install
    places), so the answer is the one kaleido itself would act on.
    """
    try:
        from choreographer.browsers.chromium import Chromium

        path = Chromium.find_browser(skip_local=False)
    except Exception:  # an older or newer kaleido without this lookup: do it by hand
        path = os.environ.get("BROWSER_PATH") or next(
            filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))),
            None,
        )
    if path and os.path.isfile(path) and os.access(path, os.X_OK):
        return path
    return None


def static_images_available() -> bool:
    """True when PNG and SVG images of charts can be made."""
    return chart_browser() is not None
