"""Test data. Factories save through full_clean(), so every object they make obeys the model rules."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from governance.models import Action, Decision, Meeting, Risk
from governance.services import decision_save, meeting_set_attendees
from milestones.models import Milestone
from milestones.services import milestone_save
from partners.models import Company, Exchange, Function, Partnership, Person, Site
from partners.services import exchange_save
from training.models import Requirement, RequirementVersion, TrainingRecord

SIGNED = datetime.date(2024, 9, 11)


class CleanModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = model_class(*args, **kwargs)
        obj.full_clean()
        obj.save()
        return obj


class CompanyFactory(CleanModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")
    short_name = factory.Sequence(lambda n: f"C{n}")
    kind = Company.Kind.CDMO
    country = "Japan"
    city = "Tokyo"


class PartnershipFactory(CleanModelFactory):
    class Meta:
        model = Partnership
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Partnership {n}")
    announced_on = SIGNED
    signed_on = SIGNED
    status = Partnership.Status.ACTIVE
    scope = "Exchange and train manufacturing and quality staff."

    @factory.post_generation
    def parties(self, create, extracted, **kwargs):
        if create and extracted:
            self.parties.add(*extracted)


class SiteFactory(CleanModelFactory):
    class Meta:
        model = Site

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Site {n}")
    city = "Yokohama"
    country = "Japan"
    status = Site.Status.OPERATIONAL
    operational_since = datetime.date(2020, 1, 1)


class PersonFactory(CleanModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person {n}")
    employer = factory.SubFactory(CompanyFactory)
    function = Function.MANUFACTURING
    email = factory.Sequence(lambda n: f"person{n}@example.com")


class ExchangeFactory(CleanModelFactory):
    """Needs person, partnership and host_company that fit together (see the ``alliance`` fixture)."""

    class Meta:
        model = Exchange

    purpose = Exchange.Purpose.TRAINING
    function_area = Function.MANUFACTURING
    planned_start = datetime.date(2025, 1, 6)
    planned_end = datetime.date(2025, 3, 28)
    status = Exchange.Status.PLANNED

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return exchange_save(exchange=model_class(*args, **kwargs))


class MilestoneFactory(CleanModelFactory):
    class Meta:
        model = Milestone

    title = factory.Sequence(lambda n: f"Milestone {n}")
    baseline_date = datetime.date(2026, 6, 30)
    status = Milestone.Status.NOT_STARTED

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return milestone_save(milestone=model_class(*args, **kwargs))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct-horse-battery")
    is_staff = True

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


class RequirementFactory(CleanModelFactory):
    class Meta:
        model = Requirement

    code = factory.Sequence(lambda n: f"SOP-MFG-{n:03}")
    title = factory.Sequence(lambda n: f"Aseptic gowning {n}")
    validity_months = 12


class RequirementVersionFactory(CleanModelFactory):
    class Meta:
        model = RequirementVersion

    requirement = factory.SubFactory(RequirementFactory)
    version = 1
    effective_from = datetime.date(2024, 1, 1)


class TrainingRecordFactory(CleanModelFactory):
    """Needs a person; the requirement is the one its version belongs to."""

    class Meta:
        model = TrainingRecord

    version = factory.SubFactory(RequirementVersionFactory)
    requirement = factory.SelfAttribute("version.requirement")
    completed_on = datetime.date(2025, 2, 14)


class MeetingFactory(CleanModelFactory):
    """Needs a partnership; attendees (people of its parties) go through the service that checks them."""

    class Meta:
        model = Meeting
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Joint steering committee {n}")
    held_on = datetime.date(2026, 2, 10)

    @factory.post_generation
    def attendees(self, create, extracted, **kwargs):
        if create and extracted:
            meeting_set_attendees(meeting=self, attendees=extracted)


class DecisionFactory(CleanModelFactory):
    """Needs a partnership; numbered by the service. ``approved=<datetime>`` records its approval."""

    class Meta:
        model = Decision
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Decision {n}")
    text = "The committee agrees to the plan."
    rationale = "Both parties need the capacity."

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return decision_save(decision=model_class(*args, **kwargs))

    @factory.post_generation
    def approved(self, create, extracted, **kwargs):
        if create and extracted:
            self.record_approval(extracted)


class ActionFactory(CleanModelFactory):
    """Needs a partnership and an owner who works for one of its parties."""

    class Meta:
        model = Action

    title = factory.Sequence(lambda n: f"Action {n}")
    due_on = datetime.date(2026, 3, 31)


class RiskFactory(CleanModelFactory):
    """Needs a partnership and an owner who works for one of its parties."""

    class Meta:
        model = Risk

    title = factory.Sequence(lambda n: f"Risk {n}")
    category = Risk.Category.SUPPLY
    likelihood = 3
    impact = 3
    review_on = datetime.date(2026, 4, 30)


@dataclass
class Alliance:
    agc: Company
    agc_bio: Company
    medinet: Company
    partnership: Partnership
    yokohama: Site
    shinagawa: Site
    agc_person: Person
    medinet_person: Person
    medinet_supervisor: Person
    agc_supervisor: Person


def the_alliance() -> Alliance:
    """AGC Inc. (parent of AGC Biologics) and MEDINET in a partnership signed on 2024-09-11."""
    agc = CompanyFactory(name="AGC Inc.", short_name="AGC", kind=Company.Kind.HOLDING)
    agc_bio = CompanyFactory(name="AGC Biologics", short_name="AGC Biologics", parent=agc)
    medinet = CompanyFactory(name="MEDINET Co., Ltd.", short_name="MEDINET", kind=Company.Kind.CELL_THERAPY)
    partnership = PartnershipFactory(parties=[agc, medinet], signed_on=SIGNED)
    yokohama = SiteFactory(company=agc_bio, name="Yokohama Technical Center")
    shinagawa = SiteFactory(company=medinet, name="Shinagawa Cell Processing Center", city="Tokyo")
    return Alliance(
        agc=agc,
        agc_bio=agc_bio,
        medinet=medinet,
        partnership=partnership,
        yokohama=yokohama,
        shinagawa=shinagawa,
        agc_person=PersonFactory(name="Yui Takahashi", employer=agc_bio, home_site=yokohama),
        medinet_person=PersonFactory(name="Takumi Yamada", employer=medinet, home_site=shinagawa),
        medinet_supervisor=PersonFactory(name="Mio Hayashi", employer=medinet),
        agc_supervisor=PersonFactory(name="Haruka Nishimura", employer=agc_bio),
    )
