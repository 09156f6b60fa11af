"""A real headless chromium for the HTML tests: dump a page's DOM, take a screenshot, or measure a page in a frame."""

from __future__ import annotations

import html
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

_PROBE = """<script>
addEventListener('load', function () {
  function visible() {
    return [].slice.call(document.querySelectorAll('.item')).filter(function (e) { return e.offsetParent !== null; });
  }
  function measure() {
    var body = getComputedStyle(document.body), text = document.querySelector('.pair .en') || document.body;
    return {width: innerWidth, scrollWidth: document.documentElement.scrollWidth, bodyFont: parseFloat(body.fontSize),
            textFont: parseFloat(getComputedStyle(text).fontSize), background: body.backgroundColor, color: body.color,
            dark: matchMedia('(prefers-color-scheme: dark)').matches, shown: visible().map(function (e) { return e.id; })};
  }
  var result = {before: measure()}, q = document.getElementById('q');
  if (q) { q.value = SEARCH; q.dispatchEvent(new Event('input')); result.after = measure(); }
  parent.postMessage(JSON.stringify(result), '*');
});
</script>"""


def chromium() -> str:
    """The chromium binary, or skip."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.skip("chromium is not installed (apt-get install chromium; .ci/run does)")
    return path


def browser(*args: str) -> subprocess.CompletedProcess:
    """Run headless chromium with a throwaway profile and no network chatter."""
    with tempfile.TemporaryDirectory() as profile:
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={profile}"]
        return subprocess.run([chromium(), *flags, *args], capture_output=True, text=True, timeout=120)


def measure(page: Path, *, width: int, dark: bool = False, search: str = "") -> dict:
    """Layout facts of ``page`` in a ``width`` px wide frame (a phone's viewport when 390), before and after typing ``search``.

    The page is copied beside itself with a probe script; the frame's page reports back by postMessage,
    since headless windows are never narrower than 500 px.
    """
    text = page.read_text(encoding="utf-8")
    probe = _PROBE.replace("SEARCH", json.dumps(search))
    copy = page.with_name(f"probe-{width}-{page.name}")
    copy.write_text(text.replace("</body>", probe + "</body>"), encoding="utf-8")
    outer = page.with_name(f"probe-{width}-frame.html")
    outer.write_text(f'<!DOCTYPE html><html><body style="margin:0"><iframe src="{copy.name}" '
                     f'style="width:{width}px;height:900px;border:0"></iframe><pre id="probe"></pre><script>'
                     "addEventListener('message',function(e){document.getElementById('probe').textContent=e.data;});"
                     "</script></body></html>", encoding="utf-8")
    try:
        flags = [f"--window-size={max(width, 1280) + 40},1000", "--virtual-time-budget=10000"]
        if dark:
            flags.append("--force-dark-mode")  # chromium then matches prefers-color-scheme: dark
        dom = browser(*flags, "--dump-dom", outer.as_uri()).stdout
    finally:
        copy.unlink(missing_ok=True)
        outer.unlink(missing_ok=True)
    start = dom.index('<pre id="probe">') + len('<pre id="probe">')
    sent = dom[start:dom.index("</pre>", start)]
    assert sent, f"the page sent no measurements:\n{dom[:2000]}"
    return json.loads(html.unescape(sent))
