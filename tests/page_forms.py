"""What a browser would submit: the values of a page's edit form, read from its HTML, so a test
can open a page, change one field and post the rest as the page showed them."""

from __future__ import annotations

from html.parser import HTMLParser


class _Form(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, list[str]]] = []
        self._form: dict[str, list[str]] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.setdefault(name, []).append(a.get("value", "on"))
            else:
                self._form.setdefault(name, []).append(a.get("value") or "")
        elif tag == "select" and name:
            self._select = name
            self._form.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self._form[self._select].append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self._form[name] = [""]

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea and self._form is not None:
            # Django writes a newline after the opening tag, which browsers drop.
            value = self._form[self._textarea][0]
            self._form[self._textarea] = [value.removeprefix("\r\n").removeprefix("\n")]
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form[self._textarea][0] += data


def edit_form(html: bytes | str, marker: str = "loaded_version") -> dict[str, list[str]]:
    """The fields of the page's POST form that has `marker` (the edit form's version field)."""
    parser = _Form()
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    forms = [f for f in parser.forms if marker in f]
    assert forms, f"no POST form with a {marker} field on the page"
    return forms[0]


def kpi_values_seen(html: bytes | str) -> str:
    """The log form's `values_seen`: the versions of the values the page showed."""
    import re

    text = html.decode() if isinstance(html, bytes) else html
    seen = re.search(r'name="values_seen" value="([^"]*)"', text)
    assert seen, "no log form on the objective's page"
    return seen.group(1)


def log_kpi_value(client, org_slug: str, code: str, data: dict):
    """Post the objective page's log form as a browser does: with the versions of the values
    the page showed (`values_seen`), which a correction must name."""
    from django.urls import reverse

    page = client.get(reverse("objectives:detail", args=[org_slug, code])).content
    return client.post(
        reverse("objectives:log", args=[org_slug, code]),
        {**data, "values_seen": kpi_values_seen(page)},
    )


def versioned(record, data: dict | None = None) -> dict:
    """`data` with the version of `record` an edit page would have sent (its hidden
    `loaded_version`): an edit POST without it is refused as out of date."""
    from qms.core.concurrency import VERSION_FIELD, version_of

    record.refresh_from_db()
    return {**(data or {}), VERSION_FIELD: version_of(record)}
