"""Every page of the URL × persona table, in English and Japanese, passes axe-core and the Nu Html Checker.

axe-core runs inside Debian's Chromium on the rendered page; the Nu Html Checker (vnu) reads the HTML the server
sent, all pages in one run. Both come from npm into tools/a11y (`npm ci` there); vnu runs on the system's Java.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.browser.conftest import ROOT, launched_browser, log_in
from tests.scheduling import heavy

TOOLS = ROOT / "tools" / "a11y" / "node_modules"
AXE = TOOLS / "axe-core" / "axe.min.js"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = shutil.which("java")
LANGUAGES = {
    "en": ("en-GB", ("Username", "Password", "Log in")),
    "ja": ("ja-JP", ("ユーザー名", "パスワード", "ログイン")),
}

MISSING = [
    reason
    for reason, absent in (
        (
            "axe-core and vnu-jar are not installed (cd tools/a11y && npm ci --ignore-scripts)",
            not (AXE.exists() and VNU.exists()),
        ),
        ("Java is not installed (apt-get install default-jre-headless)", JAVA is None),
    )
    if absent
]
if MISSING and os.environ.get("CI"):
    raise RuntimeError(f"CI must run the accessibility checks: {'; '.join(MISSING)}")
pytestmark = pytest.mark.skipif(bool(MISSING), reason="; ".join(MISSING))

# Django's own select2 widgets (the admin's autocomplete fields) are Django's markup, not ours: axe leaves them out.
AXE_EXCLUDE = [[".select2-container"], [".select2-hidden-accessible"]]
FAILING_IMPACTS = {"serious", "critical"}
# axe gives every finding of a rule the rule's own impact where the rule has one (axe-core's _finalizeRuleResult):
# a rule whose impact is minor or moderate can never fail this check, so it is turned off (a third of axe's rules,
# `region` among them, one of the slowest). Every other rule axe runs by default still runs.
NEVER_FAILING_RULES = """() => Object.fromEntries(axe._audit.rules
    .filter(rule => ['minor', 'moderate'].includes(rule.impact))
    .map(rule => [rule.id, {enabled: false}]))"""
# Findings on markup the Django admin renders itself (its templates, CSS and scripts), by rule: a node inside one
# of these is not counted. Everything the app renders, in the admin or outside it, is still checked.
AXE_DJANGO_ADMIN = {
    # The admin's stylesheet tells its breadcrumb and deleted-objects links apart from the text by colour only.
    "link-in-text-block": ".breadcrumbs, #deleted-objects",
    # The admin's SelectFilter2.js (filter_horizontal) puts a title on a bare <span> as a tooltip.
    "aria-prohibited-attr": ".selector .help-tooltip",
    # A TabularInline labels its fields by the column headers only, not by <label>.
    "label": ".tabular",
}

# The page's language and axe's findings on the page as it is, leaving out the Django admin's findings above, in one
# call into the page (read through a locator, the language would have Playwright set up its own script in every
# page: a tenth of the renderer's CPU). The run that decides keeps each finding's element (elementRef) instead of
# working out a CSS selector for it (`selectors`: a tenth of axe's time), and looks into frames only where a page has
# one. Only a page with findings left is checked again, with selectors, to say where they are.
AXE_RUN = """async ([exclude, djangoAdmin, rules]) => {
    const lang = document.documentElement.getAttribute('lang');
    const ours = violations => violations.map(v => ({...v, nodes: v.nodes.filter(
        n => !(djangoAdmin[v.id] && n.element?.closest(djangoAdmin[v.id]))
    )})).filter(v => v.nodes.length);
    const iframes = Boolean(document.querySelector('iframe, frame'));
    const options = {resultTypes: ['violations'], rules, iframes, elementRef: true};
    const found = ours((await axe.run({exclude}, {...options, selectors: false})).violations);
    if (!found.length) {
        return [lang, []];
    }
    const runOnly = {type: 'rule', values: found.map(v => v.id)};
    return [lang, ours((await axe.run({exclude}, {...options, runOnly})).violations)
        .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => ({target: n.target}))}))];
}"""

# Errors of the Django admin's own markup (its forms' widgets and templates), checked only on /admin/ pages.
VNU_DJANGO_ADMIN = (
    # Labels for widgets that the admin's scripts replace (filter_horizontal, autocomplete) or hides.
    "must be the ID of a non-hidden form control",
    # The empty <option> the autocomplete widget renders for select2's placeholder.
    "without attribute “label” must not be empty",
    # Required selects with a preselected choice, or an autocomplete that renders only the chosen option.
    "must have either an empty “value” attribute, or must have no text content",
    "must have a descendant “option” element",
    # The password change page wraps the usable-password help text (a list) in a <p>.
    "No “p” element in scope but a “p” end tag seen",
    # The read-only password hash widget renders a disabled <div>.
    "Attribute “disabled” not allowed on element “div”",
)

# One short run of the checker: Java's quick compiler alone and its single-threaded collector take under half the CPU
# of its defaults (the optimising compiler and the parallel collector, busy on threads of their own for a run that
# ends before their work pays), with the same findings. The quick compiler's frames are larger: the schema's
# recursion needs a larger stack than the default 1 MB.
VNU_JAVA_OPTIONS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss4m"]


def checked_pages(database_url: str) -> dict[str, list[str]]:
    result = subprocess.run(
        [sys.executable, "-m", "tests.browser.accessibility_pages"],
        env={**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "cdmo.settings"},
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout)


# One language's pages per group: `make test` (--dist loadgroup) gives each to one worker, so the two languages are
# visited side by side and each only once.
@pytest.fixture(
    scope="module",
    params=[pytest.param(language, marks=heavy(f"pages-{language}")) for language in LANGUAGES],
)
def visited(request, app_server, tmp_path_factory):
    """Visit every page once in one language, as each persona: axe's serious findings, and the HTML each page sent."""
    base = app_server["url"]
    pages = checked_pages(app_server["database_url"])
    folder = tmp_path_factory.mktemp("html")
    findings, sent = [], {}

    def check(page, url: str, who: str, language: str) -> None:
        response = page.goto(f"{base}{url}")
        where = f"{who} {language} {url}"
        assert response.status == 200, f"{where}: {response.status}"
        path = folder / f"{len(sent):03d}.html"
        path.write_bytes(response.body())
        sent[f"file:{path}"] = where
        lang, violations = page.evaluate(AXE_RUN, [AXE_EXCLUDE, AXE_DJANGO_ADMIN, rules])
        assert lang == language, f"{where}: the page is in {lang!r}"
        findings.extend(
            f"{where}: {violation['id']} ({violation['impact']}) at "
            + ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
            for violation in violations
            if violation["impact"] in FAILING_IMPACTS
        )

    language = request.param
    locale, labels = LANGUAGES[language]
    # A browser of its own, closed when the visit ends: `make test` runs the page checks first on their worker
    # (tests/scheduling.py), before the worker's database tests, which a running Playwright would refuse.
    with launched_browser() as browser:
        # The app's Content-Security-Policy refuses injected scripts, axe included: the check's context bypasses it.
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale=locale, bypass_csp=True)
        # axe in every page as it opens: a fifth faster than adding it to each page after it loaded.
        context.add_init_script(path=str(AXE))
        page = context.new_page()
        page.goto(f"{base}/accounts/login/")
        rules = page.evaluate(NEVER_FAILING_RULES)
        check(page, "/accounts/login/", "anonymous", language)
        for persona, urls in pages.items():
            context.clear_cookies()
            log_in(page, base, persona, labels=labels)
            for url in urls:
                check(page, url, persona, language)
        context.close()
    return {"axe": findings, "html": sent}


def test_every_page_has_no_serious_accessibility_violation_in_either_language(visited):
    assert len(visited["html"]) > 100  # both personas' pages, not a handful
    assert not visited["axe"], "\n".join(visited["axe"])


def test_every_page_is_valid_html_in_either_language(visited):
    files = [uri.removeprefix("file:") for uri in visited["html"]]
    result = subprocess.run(
        [JAVA, *VNU_JAVA_OPTIONS, "-jar", str(VNU), "--format", "json", "--errors-only", *files],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(result.stderr)["messages"]
    errors = [
        f"{visited['html'].get(message.get('url'), message.get('url'))} line {message.get('lastLine')}: "
        f"{message['message']}"
        for message in messages
        if message["type"] == "error"
        and not (
            " /admin/" in visited["html"].get(message.get("url"), "")
            and any(exempt in message["message"] for exempt in VNU_DJANGO_ADMIN)
        )
    ]
    assert not errors, "\n".join(errors)
