"""Loading the illustrative training: requirements and their versions, curricula, people's training records, and
the qualified headcount the launch needs."""

from __future__ import annotations

from django.db import transaction

from demo import illustrative, japanese
from demo.records import set_links, upsert
from milestones.models import Milestone
from partners.models import Person, Site
from training.models import Curriculum, Requirement, RequirementVersion, TrainingRecord


@transaction.atomic
def seed_training() -> None:
    sites = {site.name: site for site in Site.objects.all()}
    people = {person.name: person for person in Person.objects.filter(email__endswith="@demo.example")}
    requirements = {}
    for code, title, validity, evaluation, versions in illustrative.REQUIREMENTS:
        requirement = upsert(
            Requirement,
            {"code": code},
            {
                "title": title,
                "title_ja": japanese.REQUIREMENT_TITLES.get(code, ""),
                "validity_months": validity,
                "needs_evaluation": evaluation,
            },
        )
        for number, effective in versions:
            upsert(RequirementVersion, {"requirement": requirement, "version": number}, {"effective_from": effective})
        requirements[code] = requirement
    for name, function, site, codes in illustrative.CURRICULA:
        curriculum = upsert(
            Curriculum,
            {"name": name},
            {"name_ja": japanese.CURRICULUM_NAMES.get(name, ""), "function": function, "site": sites[site]},
        )
        set_links(curriculum, "requirements", [requirements[code] for code in codes])
    for person, code, number, day, trainer, evaluator, evidence in illustrative.TRAINING_RECORDS:
        upsert(
            TrainingRecord,
            {"person": people[person], "requirement": requirements[code], "completed_on": day},
            {
                "version": requirements[code].versions.get(version=number),
                "trainer": people.get(trainer),
                "evaluator": people.get(evaluator),
                "evidence": evidence,
            },
        )
    function, headcount = illustrative.LAUNCH_NEED
    launch = Milestone.objects.filter(title=illustrative.LAUNCH).first()
    if launch is not None:
        upsert(Milestone, {"pk": launch.pk}, {"required_function": function, "required_headcount": headcount})
