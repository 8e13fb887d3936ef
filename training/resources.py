"""Spreadsheet import of training records: one row per record, every row checked by the model's own rules."""

from __future__ import annotations

from import_export import fields, resources
from import_export.widgets import DateWidget, ForeignKeyWidget

from partners.models import Person
from training.models import Requirement, RequirementVersion, TrainingRecord

IMPORT_REASON = "Imported from a spreadsheet"


class VersionWidget(ForeignKeyWidget):
    """The sheet names a version by its number; it means that version of the row's requirement."""

    def __init__(self):
        super().__init__(RequirementVersion)

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        code = (row or {}).get("requirement")
        try:
            return RequirementVersion.objects.get(requirement__code=code, version=int(value))
        except (ValueError, RequirementVersion.DoesNotExist):
            raise ValueError(f"{code} has no version {value}.") from None


class TrainingRecordResource(resources.ModelResource):
    person = fields.Field(attribute="person", column_name="person_email", widget=ForeignKeyWidget(Person, "email"))
    requirement = fields.Field(
        attribute="requirement", column_name="requirement", widget=ForeignKeyWidget(Requirement, "code")
    )
    version = fields.Field(attribute="version", column_name="version", widget=VersionWidget())
    completed_on = fields.Field(attribute="completed_on", column_name="completed_on", widget=DateWidget("%Y-%m-%d"))
    trainer = fields.Field(attribute="trainer", column_name="trainer_email", widget=ForeignKeyWidget(Person, "email"))
    evaluator = fields.Field(
        attribute="evaluator", column_name="evaluator_email", widget=ForeignKeyWidget(Person, "email")
    )

    class Meta:
        model = TrainingRecord
        fields = ("person", "requirement", "version", "completed_on", "result", "trainer", "evaluator", "evidence")
        # Re-importing the same sheet updates rather than duplicates: a record is one person, requirement and day.
        import_id_fields = ("person", "requirement", "completed_on")
        clean_model_instances = True  # the model's clean(): version, evaluator, dates
        skip_unchanged = True

    def before_save_instance(self, instance, row, **kwargs):
        instance._change_reason = IMPORT_REASON
