from governance.models.action import Action
from governance.models.decision import Decision
from governance.models.meeting import Body, Meeting
from governance.models.risk import Risk

__all__ = ["Action", "Body", "Decision", "Meeting", "Risk"]
