"""Illustrative records: invented people, exchanges and milestones, each saying so in its text.

Dates marked "illustrative" are not public facts.
"""

from __future__ import annotations

import datetime

D = datetime.date
ILLUSTRATIVE = "Illustrative demo record."

PEOPLE = [
    # name, name_ja, employer, home site, function, job title
    ("Kenji Morita", "森田 健二", "AGC Inc.", None, "business", "Alliance manager"),
    (
        "Yui Takahashi",
        "高橋 結衣",
        "AGC Biologics",
        "Yokohama Technical Center",
        "manufacturing",
        "Manufacturing associate",
    ),
    (
        "Daichi Kobayashi",
        "小林 大地",
        "AGC Biologics",
        "Yokohama Technical Center",
        "quality_assurance",
        "QA specialist",
    ),
    ("Sakura Inoue", "井上 さくら", "AGC Biologics", "Yokohama Technical Center", "quality_control", "QC analyst"),
    ("Marco Bellini", "", "AGC Biologics", "Milan", "process_development", "Senior process scientist"),
    ("Emily Carter", "", "AGC Biologics", "Longmont", "manufacturing", "Manufacturing supervisor"),
    (
        "Haruka Nishimura",
        "西村 遥",
        "AGC Biologics",
        "Yokohama Technical Center",
        "quality_assurance",
        "Head of quality",
    ),
    (
        "Takumi Yamada",
        "山田 拓海",
        "MEDINET Co., Ltd.",
        "Shinagawa Cell Processing Center",
        "manufacturing",
        "Cell processing technician",
    ),
    ("Aoi Fujita", "藤田 葵", "MEDINET Co., Ltd.", "Shinagawa Cell Processing Center", "quality_control", "QC analyst"),
    (
        "Ren Shimizu",
        "清水 蓮",
        "MEDINET Co., Ltd.",
        "Shinagawa Cell Processing Center",
        "quality_assurance",
        "QA manager",
    ),
    (
        "Mio Hayashi",
        "林 美桜",
        "MEDINET Co., Ltd.",
        "Shinagawa Cell Processing Center",
        "manufacturing",
        "Manufacturing manager",
    ),
    (
        "Sota Kimura",
        "木村 颯太",
        "MEDINET Co., Ltd.",
        "Shinagawa Cell Processing Center",
        "process_development",
        "Process development scientist",
    ),
]

EXCHANGES = [
    # person, host company, host site, supervisor, kind, purpose, area, planned, actual, status, objectives
    (
        "Yui Takahashi",
        "MEDINET Co., Ltd.",
        "Shinagawa Cell Processing Center",
        "Mio Hayashi",
        "secondment",
        "operational_support",
        "manufacturing",
        (D(2024, 12, 2), D(2025, 5, 30)),
        (D(2024, 12, 2), D(2025, 5, 30)),
        "completed",
        "Support MEDINET's CDMO batches; learn Japanese start-up and academic client practice.",
    ),
    (
        "Daichi Kobayashi",
        "MEDINET Co., Ltd.",
        "Shinagawa Cell Processing Center",
        "Ren Shimizu",
        "secondment",
        "knowledge_transfer",
        "quality_assurance",
        (D(2025, 1, 6), D(2025, 6, 30)),
        (D(2025, 1, 14), D(2025, 7, 11)),
        "completed",
        "Map MEDINET's deviation and CAPA handling to the Yokohama quality system.",
    ),
    (
        "Sakura Inoue",
        "MEDINET Co., Ltd.",
        "Shinagawa Cell Processing Center",
        "Aoi Fujita",
        "training_assignment",
        "training",
        "quality_control",
        (D(2025, 9, 1), D(2026, 2, 27)),
        (D(2025, 9, 1), D(2026, 3, 13)),
        "completed",
        "Train on release testing for autologous immune-cell products.",
    ),
    (
        "Emily Carter",
        "MEDINET Co., Ltd.",
        "Shinagawa Cell Processing Center",
        "Mio Hayashi",
        "secondment",
        "operational_support",
        "manufacturing",
        (D(2026, 9, 1), D(2027, 2, 26)),
        (D(2026, 9, 7), None),
        "active",
        "Bring Longmont's CAR-T experience to MEDINET's CDMO projects.",
    ),
    (
        "Takumi Yamada",
        "AGC Biologics",
        "Yokohama Technical Center",
        "Yui Takahashi",
        "training_assignment",
        "training",
        "manufacturing",
        (D(2025, 7, 1), D(2025, 12, 19)),
        (D(2025, 7, 1), D(2025, 12, 19)),
        "completed",
        "Aseptic processing and grade B gowning qualification at Yokohama.",
    ),
    (
        "Aoi Fujita",
        "AGC Biologics",
        "Yokohama Technical Center",
        "Sakura Inoue",
        "training_assignment",
        "training",
        "quality_control",
        (D(2026, 4, 6), D(2026, 12, 18)),
        (D(2026, 4, 6), None),
        "active",
        "Method transfer of flow-cytometry identity assay to the Yokohama QC lab.",
    ),
    (
        "Ren Shimizu",
        "AGC Biologics",
        "Yokohama Technical Center",
        "Haruka Nishimura",
        "secondment",
        "knowledge_transfer",
        "quality_assurance",
        (D(2026, 10, 1), D(2027, 3, 31)),
        (D(2026, 10, 1), None),
        "active",
        "Prepare the Yokohama quality system for the 2026 launch inspection.",
    ),
    (
        "Sota Kimura",
        "AGC Biologics",
        "Milan",
        "Marco Bellini",
        "training_assignment",
        "knowledge_transfer",
        "process_development",
        (D(2027, 1, 11), D(2027, 4, 30)),
        (None, None),
        "planned",
        "Learn commercial-scale cell-therapy process development at the Milan centre of excellence.",
    ),
    (
        "Mio Hayashi",
        "AGC Biologics",
        "Yokohama Technical Center",
        "Haruka Nishimura",
        "secondment",
        "operational_support",
        "manufacturing",
        (D(2026, 1, 13), D(2026, 6, 30)),
        (None, None),
        "cancelled",
        "Cancelled: MEDINET kept the manager for its own client project.",
    ),
    (
        "Yui Takahashi",
        "MEDINET Co., Ltd.",
        "Shinagawa Cell Processing Center",
        "Mio Hayashi",
        "training_assignment",
        "training",
        "manufacturing",
        (D(2027, 2, 1), D(2027, 3, 31)),
        (None, None),
        "planned",
        "Refresher on MEDINET's closed-system processing before the first joint client batch.",
    ),
]

MILESTONES = [
    # title, site, owner, baseline, forecast, actual, status, depends on, description
    # (the dashboard counts down to LAUNCH)
    (
        "Strategic partnership agreement signed",
        None,
        "Kenji Morita",
        D(2024, 9, 11),
        None,
        D(2024, 9, 11),
        "done",
        [],
        "AGC Inc. and MEDINET sign the strategic partnership (announced 11 September 2024).",
    ),
    (
        "Joint steering committee charter approved",
        None,
        "Kenji Morita",
        D(2024, 10, 15),
        None,
        D(2024, 10, 21),
        "done",
        ["Strategic partnership agreement signed"],
        ILLUSTRATIVE,
    ),
    (
        "First AGC staff start at MEDINET",
        None,
        "Kenji Morita",
        D(2024, 11, 1),
        D(2024, 12, 2),
        D(2024, 12, 2),
        "done",
        ["Joint steering committee charter approved"],
        ILLUSTRATIVE,
    ),
    (
        "Yokohama cell-processing suite qualified",
        "Yokohama Technical Center",
        "Haruka Nishimura",
        D(2025, 5, 15),
        D(2025, 6, 10),
        D(2025, 6, 10),
        "done",
        [],
        ILLUSTRATIVE,
    ),
    (
        "Yokohama partial service start (2025)",
        "Yokohama Technical Center",
        "Haruka Nishimura",
        D(2025, 7, 1),  # re-baselined from 1 April 2025 by the steering committee (demo/steering.py)
        D(2025, 7, 1),
        D(2025, 7, 1),
        "done",
        ["Yokohama cell-processing suite qualified"],
        "Part of the cell-therapy CDMO service begins at Yokohama (press release: 2025; began 1 July 2025). "
        "Baseline date illustrative.",
    ),
    (
        "Yokohama QC method transfer complete",
        "Yokohama Technical Center",
        "Sakura Inoue",
        D(2026, 6, 30),
        D(2026, 9, 4),
        D(2026, 9, 4),
        "done",
        ["Yokohama partial service start (2025)"],
        ILLUSTRATIVE,
    ),
    (
        "Yokohama inspection readiness",
        "Yokohama Technical Center",
        "Haruka Nishimura",
        D(2026, 9, 30),
        D(2026, 12, 11),
        None,
        "in_progress",
        ["Yokohama QC method transfer complete"],
        ILLUSTRATIVE,
    ),
    (
        "MEDINET staff trained at Yokohama",
        "Yokohama Technical Center",
        "Haruka Nishimura",
        D(2026, 12, 18),
        None,
        None,
        "in_progress",
        ["Yokohama partial service start (2025)"],
        ILLUSTRATIVE,
    ),
    (
        "Yokohama cell-therapy CDMO launch (2026)",
        "Yokohama Technical Center",
        "Kenji Morita",
        D(2026, 10, 1),
        D(2026, 12, 21),
        None,
        "in_progress",
        ["Yokohama inspection readiness", "MEDINET staff trained at Yokohama"],
        "Full launch of cell-therapy CDMO services at Yokohama (press release: 2026). Dates illustrative.",
    ),
    (
        "First joint client batch released",
        "Shinagawa Cell Processing Center",
        "Mio Hayashi",
        D(2027, 3, 31),
        None,
        None,
        "not_started",
        ["Yokohama cell-therapy CDMO launch (2026)"],
        ILLUSTRATIVE,
    ),
]

LAUNCH = "Yokohama cell-therapy CDMO launch (2026)"

# Why the forecast moved off baseline (illustrative), recorded as a change after the milestone was created.
SLIP_REASONS = {
    "Joint steering committee charter approved": "Charter review added a legal sign-off round.",
    "First AGC staff start at MEDINET": "Visa processing for the first secondees took longer than planned.",
    "Yokohama cell-processing suite qualified": "Isolator delivery slipped three weeks.",
    "Yokohama partial service start (2025)": "Start aligned with the first client's clinical schedule.",
    "Yokohama QC method transfer complete": "Flow-cytometry reagent lot change required re-qualification.",
    "Yokohama inspection readiness": "Mock inspection found gaps in deviation trending; CAPA in progress.",
    LAUNCH: "Follows inspection readiness; launch date under review by the steering committee.",
}

DEMO_USERS = [
    # username, role group (None for the administrator), first name
    ("admin", None, "Administrator"),
    ("staff", "Staff", "Staff member"),
    ("manager", "Manager", "Manager"),
    ("auditor", "Auditor", "Auditor"),
    # Signs "approved" the training records whose requirement asks for QA approval (accounts/signing.py).
    ("qa", "QA approver", "QA approver"),
    # The steering committee's co-chairs (demo/steering.py), who sign its decisions.
    ("morita", "Manager", "Kenji"),
    ("aoki", "Manager", "Hiroshi"),
]

# Training (illustrative): requirement code, title, validity in months (None: never expires), evaluation needed,
# versions as (number, effective from).
REQUIREMENTS = [
    ("SOP-GOWN-B", "Grade B gowning qualification", 12, True, [(1, D(2024, 10, 1)), (2, D(2026, 4, 1))]),
    ("SOP-ASEP-004", "Aseptic processing in the isolator", 12, True, [(1, D(2024, 10, 1))]),
    ("SOP-QA-012", "Deviation handling and CAPA", 24, False, [(1, D(2024, 10, 1))]),
    ("SOP-QA-020", "Batch record review", None, False, [(1, D(2024, 10, 1))]),
    ("SOP-QC-031", "Flow-cytometry identity assay", 12, True, [(1, D(2025, 6, 1))]),
]
CURRICULA = [
    # name, function, site, requirement codes
    (
        "Cell processing at Yokohama",
        "manufacturing",
        "Yokohama Technical Center",
        ["SOP-GOWN-B", "SOP-ASEP-004", "SOP-QA-012"],
    ),
    ("Quality assurance at Yokohama", "quality_assurance", "Yokohama Technical Center", ["SOP-QA-012", "SOP-QA-020"]),
    ("QC testing at Yokohama", "quality_control", "Yokohama Technical Center", ["SOP-GOWN-B", "SOP-QC-031"]),
    (
        "Cell processing at Shinagawa",
        "manufacturing",
        "Shinagawa Cell Processing Center",
        ["SOP-GOWN-B", "SOP-ASEP-004"],
    ),
]
TRAINING_RECORDS = [
    # person, requirement, version, completed on, trainer, evaluator, evidence
    ("Yui Takahashi", "SOP-GOWN-B", 2, D(2026, 4, 20), "Haruka Nishimura", "Haruka Nishimura", "TRN-2026-0101"),
    ("Yui Takahashi", "SOP-ASEP-004", 1, D(2025, 12, 5), "Haruka Nishimura", "Haruka Nishimura", "TRN-2025-0412"),
    ("Yui Takahashi", "SOP-QA-012", 1, D(2025, 2, 3), "Ren Shimizu", None, "TRN-2025-0033"),
    ("Takumi Yamada", "SOP-GOWN-B", 1, D(2025, 7, 14), "Yui Takahashi", "Yui Takahashi", "TRN-2025-0301"),
    ("Takumi Yamada", "SOP-ASEP-004", 1, D(2025, 8, 1), "Yui Takahashi", "Yui Takahashi", "TRN-2025-0322"),
    ("Daichi Kobayashi", "SOP-QA-012", 1, D(2025, 3, 10), "Ren Shimizu", None, "TRN-2025-0071"),
    ("Daichi Kobayashi", "SOP-QA-020", 1, D(2025, 4, 2), "Ren Shimizu", None, "TRN-2025-0090"),
    ("Aoi Fujita", "SOP-GOWN-B", 2, D(2026, 4, 8), "Sakura Inoue", "Sakura Inoue", "TRN-2026-0095"),
    ("Aoi Fujita", "SOP-QC-031", 1, D(2026, 1, 20), "Sakura Inoue", "Sakura Inoue", "TRN-2026-0012"),
    ("Sakura Inoue", "SOP-QC-031", 1, D(2025, 12, 28), "Aoi Fujita", "Aoi Fujita", "TRN-2025-0501"),
]
# The launch needs this many qualified operators at Yokohama.
LAUNCH_NEED = ("manufacturing", 4)
