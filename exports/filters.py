from __future__ import annotations

from dataclasses import dataclass

from partners.models import Company, Partnership, Site


@dataclass(frozen=True)
class Filters:
    start: object = None
    end: object = None
    partnership: Partnership | None = None
    site: Site | None = None
    company: Company | None = None
    record_type: str = ""
    as_of: object = None
    year_basis: object = None  # a partners.fiscal.Basis: group rows by its years
    fiscal_year: int | None = None
    headers: str = ""  # the header language; the content is never translated

    def scope(self) -> dict:
        """The arguments of the models' shared ``filtered()`` verbs."""
        return {
            "partnership": self.partnership,
            "site": self.site,
            "company": self.company,
            "start": self.start,
            "end": self.end,
        }

    def as_dict(self) -> dict[str, str]:
        values = {
            "start": self.start.isoformat() if self.start else "",
            "end": self.end.isoformat() if self.end else "",
            "partnership": str(self.partnership.pk) if self.partnership else "",
            "site": str(self.site.pk) if self.site else "",
            "company": str(self.company.pk) if self.company else "",
            "record_type": self.record_type,
            "as_of": self.as_of.isoformat() if self.as_of else "",
            "year_basis": self.year_basis.key if self.year_basis else "",
            "fiscal_year": str(self.fiscal_year) if self.fiscal_year else "",
            "headers": self.headers,
        }
        return {key: value for key, value in values.items() if value}


def __getattr__(name: str):
    # The export form moved to exports/forms.py; code that imported it from here keeps working.
    if name == "FilterForm":
        from exports.forms import FilterForm

        return FilterForm
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
