from partners.models.company import Company
from partners.models.exchange import Exchange
from partners.models.partnership import Partnership, PartnershipParty
from partners.models.person import Function, Person
from partners.models.site import Capability, Site
from partners.models.summary import ExchangeDay, ExchangeMonth

__all__ = [
    "Capability",
    "Company",
    "Exchange",
    "ExchangeDay",
    "ExchangeMonth",
    "Function",
    "Partnership",
    "PartnershipParty",
    "Person",
    "Site",
]
