"""What a browser would send back from a form on a page, so tests post exactly what the page offers.

A test that fills a form from the rendered page keeps working when the form gains a field (a hidden
version, an inline row) and proves that the page itself carries everything a save needs.
"""

from __future__ import annotations

from html.parser import HTMLParser

NOT_SENT = {"submit", "button", "image", "reset", "file"}


class _FormReader(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.found = False
        self.values: dict[str, list[str]] = {}
        self._select: tuple[str, bool] | None = None
        self._options: list[tuple[str, bool]] = []
        self._option: list | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def add(self, name: str, value: str) -> None:
        self.values.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
            self.found = self.found or self.inside
            return
        if not self.inside or "disabled" in attrs or not attrs.get("name"):
            if tag == "option" and self._select is not None:
                self._start_option(attrs)
            return
        name = attrs["name"]
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in NOT_SENT or (kind in {"checkbox", "radio"} and "checked" not in attrs):
                return
            self.add(
                name, attrs.get("value") if attrs.get("value") is not None else ("on" if kind == "checkbox" else "")
            )
        elif tag == "select":
            self._select, self._options = (name, "multiple" in attrs), []
        elif tag == "textarea":
            self._textarea, self._text = name, []

    def _start_option(self, attrs):
        self._option = [attrs.get("value"), "selected" in attrs, []]

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)
        elif self._option is not None:
            self._option[2].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "option" and self._option is not None:
            value, selected, text = self._option
            self._options.append((value if value is not None else "".join(text).strip(), selected))
            self._option = None
        elif tag == "select" and self._select is not None:
            self._end_select()
        elif tag == "textarea" and self._textarea is not None:
            # Browsers drop the one newline that may follow <textarea>.
            self.add(self._textarea, "".join(self._text).removeprefix("\r\n").removeprefix("\n"))
            self._textarea = None

    def _end_select(self):
        name, multiple = self._select
        chosen = [value for value, selected in self._options if selected]
        if not chosen and not multiple and self._options:
            chosen = [self._options[0][0]]  # a single select always sends its first option
        for value in chosen:
            self.add(name, value)
        self._select = None


def form_values(html: str, form_id: str) -> dict[str, list[str]]:
    """The name → values a browser submits from the form with this id, as the page renders it."""
    reader = _FormReader(form_id)
    reader.feed(html)
    reader.close()
    if not reader.found:
        raise LookupError(f"The page has no form with id {form_id!r}.")
    return reader.values
