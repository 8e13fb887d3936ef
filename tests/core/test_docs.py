"""The README and docs/ stay true to the repository: links lead somewhere, and the configuration table is complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
CONFIGURATION = ROOT / "docs" / "configuration.md"

# [text](target) and ![alt](target); a target ends at the first space (an optional "title" may follow).
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)[^)]*\)")
# Environment variables: the settings' typed helpers, os.environ and os.getenv.
SETTINGS_READ = re.compile(r"\benv(?:_bool|_int|_list)?\(\s*\"([A-Z][A-Z0-9_]*)\"")
ENVIRON_READ = re.compile(r"os\.(?:environ\.get\(|environ\[|environ\.setdefault\(|getenv\()\s*\"([A-Z][A-Z0-9_]*)\"")
MAKE_VARIABLE = re.compile(r"^([A-Z][A-Z0-9_]*)\s*\?=", re.MULTILINE)
TABLE_NAME = re.compile(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|", re.MULTILINE)


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.DOTALL)
    return {slug(match) for match in re.findall(r"^#+\s+(.*)$", text, flags=re.MULTILINE)}


def local_links(page: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.DOTALL)
    return [target for target in LINK.findall(text) if not re.match(r"[a-z]+:", target)]


def broken_links(page: Path) -> list[str]:
    broken = []
    for target in local_links(page):
        path, _, fragment = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif fragment and linked.suffix == ".md" and fragment not in anchors(linked):
            broken.append(f"{target}: no heading #{fragment} in {linked.relative_to(ROOT)}")
    return broken


def documented_variables() -> set[str]:
    return set(TABLE_NAME.findall(CONFIGURATION.read_text(encoding="utf-8")))


def variables_read_by_the_code() -> dict[str, str]:
    """Every environment or make variable the project reads, with where it was found."""
    found = {}
    settings = (ROOT / "cdmo" / "settings.py").read_text(encoding="utf-8")
    for name in SETTINGS_READ.findall(settings) + ENVIRON_READ.findall(settings):
        found[name] = "cdmo/settings.py"
    if "dj_database_url.config(" in settings:  # reads DATABASE_URL itself
        found["DATABASE_URL"] = "cdmo/settings.py"
    for name in MAKE_VARIABLE.findall((ROOT / "Makefile").read_text(encoding="utf-8")):
        found[name] = "Makefile"
    for folder in ("bench", "load", "tests"):
        for source in (ROOT / folder).rglob("*.py"):
            for name in ENVIRON_READ.findall(source.read_text(encoding="utf-8")):
                found.setdefault(name, str(source.relative_to(ROOT)))
    return found


def test_the_readme_and_docs_link_only_to_files_and_headings_that_exist():
    broken = {str(page.relative_to(ROOT)): links for page in PAGES if (links := broken_links(page))}
    assert broken == {}


def test_the_readme_and_docs_name_only_files_that_exist():
    """A path in backticks that starts with one of the project's folders (`audit/chain.py`) names a real file."""
    # Folders a run makes (the environment, pytest's cache and the compiled modules make test keeps in it) are not the
    # project's: what the docs say is kept there exists only after such a run.
    made_by_a_run = {".git", ".venv", ".pytest_cache"}
    folders = {path.name for path in ROOT.iterdir() if path.is_dir() and path.name not in made_by_a_run}
    missing = []
    for page in PAGES:
        for name in re.findall(r"`([\w.\-/]+)`", page.read_text(encoding="utf-8")):
            named = "/" in name and name.split("/")[0] in folders and "node_modules" not in name
            if named and not (ROOT / name).exists():
                missing.append(f"{page.relative_to(ROOT)}: {name}")
    assert missing == []


def test_the_readme_shows_every_screenshot_it_links():
    linked = {Path(target).name for target in local_links(ROOT / "README.md") if target.endswith(".png")}
    assert linked, "the README shows no screenshot"
    assert linked <= {path.name for path in (ROOT / "docs" / "screenshots").glob("*.png")}


def test_every_variable_the_code_reads_is_in_the_configuration_table():
    missing = {
        name: where for name, where in variables_read_by_the_code().items() if name not in documented_variables()
    }
    assert missing == {}, "add these to docs/configuration.md"


@pytest.mark.parametrize("name", sorted(documented_variables()))
def test_every_documented_variable_is_read_somewhere(name):
    sources = [
        ROOT / "cdmo" / "settings.py",
        ROOT / "manage.py",
        ROOT / "Makefile",
        ROOT / "docker-compose.yml",
        ROOT / ".ci" / "run",
        *(ROOT / "bench").rglob("*.py"),
        *(ROOT / "load").rglob("*.py"),
        *(ROOT / "tests").rglob("*.py"),
    ]
    assert any(
        re.search(rf"\b{name}\b", path.read_text(encoding="utf-8")) for path in sources if path != Path(__file__)
    ), f"{name} is documented but nothing reads it"


def test_the_readme_and_pyproject_agree_on_python():
    required = re.search(r'requires-python = ">=(\d+\.\d+)"', (ROOT / "pyproject.toml").read_text()).group(1)
    stated = re.findall(r"Python (\d+\.\d+) or newer", (ROOT / "README.md").read_text(encoding="utf-8"))
    assert stated, "the README does not say which Python it needs"
    assert set(stated) == {required}
