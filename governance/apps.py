from django.apps import AppConfig
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


def link_str(link) -> str:
    """A link row as the admin lists it among what a delete takes along: the two records it links."""
    return " – ".join(str(getattr(link, field.name)) for field in link._meta.fields if field.is_relation)


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("Governance")

    def ready(self) -> None:
        # Django names the link tables of many-to-many fields in English ("Decision-milestone relationship") and
        # their rows "Decision_milestones object (1)", which the admin shows when a milestone is deleted. Named after
        # the record and the field instead, each in its own translated words.
        for model in self.get_models():
            for field in model._meta.local_many_to_many:
                link = field.remote_field.through
                if link._meta.auto_created:
                    name = format_lazy("{} – {}", model._meta.verbose_name, field.verbose_name)
                    link._meta.verbose_name = link._meta.verbose_name_plural = name
                    link.__str__ = link_str
