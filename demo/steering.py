"""The joint steering committee's story (illustrative): who co-chairs, what it met on and decided, the actions it
set and the risks it tracks. None of it is a public fact; every text says so.

The 2025 partial start at Yokohama was re-baselined by the committee's first decision of 2025, approved by both
co-chairs' signatures; a second approved decision moves the launch baseline and waits for a manager to apply it.
"""

from __future__ import annotations

import datetime

from demo.illustrative import ILLUSTRATIVE, LAUNCH

D = datetime.date

PARTIAL_START = "Yokohama partial service start (2025)"

# People added for the committee: name, name_ja, employer, home site, function, job title.
PEOPLE = [
    ("Hiroshi Aoki", "青木 浩", "MEDINET Co., Ltd.", None, "business", "Executive officer, CDMO business"),
]

# One co-chair per party, each signing in with their own demo login (illustrative.DEMO_USERS): person, username,
# and the family name their signatures print after the first name.
CO_CHAIRS = [("Kenji Morita", "morita", "Morita"), ("Hiroshi Aoki", "aoki", "Aoki")]

MEETINGS = [
    # held on, title, attendees, minutes
    (
        D(2025, 3, 18),
        "Joint steering committee, March 2025",
        ["Kenji Morita", "Hiroshi Aoki", "Haruka Nishimura", "Ren Shimizu"],
        "Reviewed the Yokohama suite qualification and the first client's clinical schedule; agreed to move the "
        f"partial service start to 1 July 2025. {ILLUSTRATIVE}",
    ),
    (
        D(2026, 10, 20),
        "Joint steering committee, October 2026",
        ["Kenji Morita", "Hiroshi Aoki", "Haruka Nishimura", "Ren Shimizu", "Mio Hayashi"],
        "Reviewed the mock inspection findings and the launch readiness; agreed to move the launch baseline to "
        f"21 December 2026 once the CAPA plan is in place. {ILLUSTRATIVE}",
    ),
]

DECISIONS = [
    # meeting (held on), title, text, rationale, milestones concerned, new baseline for them
    (
        D(2025, 3, 18),
        "Re-baseline the Yokohama partial service start to 1 July 2025",
        "The partial cell-therapy CDMO service at Yokohama starts on 1 July 2025 instead of 1 April 2025; the "
        "milestone's baseline moves to that date.",
        "The first client's clinical schedule begins in July, and the isolator delivery slipped: an April start "
        f"would leave the qualified suite idle. {ILLUSTRATIVE}",
        [PARTIAL_START],
        D(2025, 7, 1),
    ),
    (
        D(2026, 10, 20),
        "Re-baseline the Yokohama launch to 21 December 2026",
        "The full cell-therapy CDMO launch at Yokohama moves to 21 December 2026; the milestone's baseline moves "
        "to that date.",
        f"The mock inspection found gaps in deviation trending; the CAPA needs until December to close. {ILLUSTRATIVE}",
        [LAUNCH],
        D(2026, 12, 21),
    ),
]

# Baselines moved by a decision in the demo: the milestone is created on its first baseline, then re-baselined.
FIRST_BASELINES = {PARTIAL_START: D(2025, 4, 1)}
REBASELINE_REASON = "Re-baselined as the joint steering committee decided"

ACTIONS = [
    # title, owner, due on, meeting (held on), decision title or None, done on
    (
        "Circulate the partial-start readiness checklist",
        "Haruka Nishimura",
        D(2025, 4, 15),
        D(2025, 3, 18),
        None,
        D(2025, 4, 10),
    ),
    (
        "Nominate two MEDINET operators for gowning qualification at Yokohama",
        "Mio Hayashi",
        D(2026, 10, 31),
        D(2026, 10, 20),
        None,
        None,
    ),
    (
        "Send the CAPA plan for the deviation-trending gaps",
        "Haruka Nishimura",
        D(2026, 11, 6),
        D(2026, 10, 20),
        "Re-baseline the Yokohama launch to 21 December 2026",
        None,
    ),
    ("Confirm the pre-inspection consultation slot", "Kenji Morita", D(2026, 11, 13), D(2026, 10, 20), None, None),
    ("Agree the launch communications plan", "Hiroshi Aoki", D(2027, 1, 15), D(2026, 10, 20), None, None),
]

RISKS = [
    # title, category, likelihood, impact, owner, mitigation, status, review on, milestones threatened
    (
        "Deviation-trending gaps not closed before the launch inspection",
        "quality",
        4,
        5,
        "Haruka Nishimura",
        "CAPA plan with weekly trending reviews; MEDINET QA seconded to Yokohama.",
        "open",
        D(2026, 11, 10),
        [LAUNCH, "Yokohama inspection readiness"],
    ),
    (
        "Too few qualified operators at Yokohama for the launch",
        "people",
        3,
        5,
        "Mio Hayashi",
        "Two MEDINET operators to qualify at Yokohama before December.",
        "open",
        D(2026, 11, 20),
        [LAUNCH, "MEDINET staff trained at Yokohama"],
    ),
    (
        "Isolator spare parts on a long lead time",
        "supply",
        3,
        4,
        "Haruka Nishimura",
        "Second set of critical spares ordered.",
        "open",
        D(2027, 1, 15),
        [LAUNCH],
    ),
    (
        "Pre-inspection consultation later than planned",
        "regulatory",
        2,
        4,
        "Kenji Morita",
        "",
        "open",
        D(2027, 1, 31),
        [LAUNCH],
    ),
    (
        "Flow-cytometry reagent lot variability",
        "supply",
        2,
        3,
        "Sakura Inoue",
        "Lot bridging study completed; two lots qualified.",
        "mitigated",
        D(2027, 3, 31),
        ["Yokohama QC method transfer complete"],
    ),
]
