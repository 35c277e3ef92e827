"""The report printed to PDF by Chromium (Debian's, `make browser`), as a reader's browser would print it."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

# No network (no host name resolves: the page must need none), no profile left behind; virtual
# time lets plotly finish drawing before the print.
_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-pdf-header-footer", "--host-resolver-rules=MAP * ~NOTFOUND",
    "--run-all-compositor-stages-before-draw", "--virtual-time-budget=15000",
)


class ChromiumMissingError(RuntimeError):
    """No Chromium to print with."""


def print_pdf(page: Path, pdf: Path) -> Path:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise ChromiumMissingError("Chromium is not installed: `make browser` installs Debian's chromium")
    with tempfile.TemporaryDirectory(prefix="report-chromium-") as profile:
        completed = subprocess.run(
            [chromium, *_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}", page.resolve().as_uri()],
            capture_output=True, text=True, timeout=300, check=False, env={**os.environ, "HOME": profile},
        )
    if completed.returncode != 0 or not pdf.exists():
        raise RuntimeError(f"Chromium did not print {page} to {pdf}: {completed.stderr.strip()[-500:]}")
    return pdf
