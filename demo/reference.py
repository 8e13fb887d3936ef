"""The real partnership, from the press release and public reporting: companies, sites and the agreement.

The invented people, exchanges and milestones are in demo/illustrative.py.
"""

from __future__ import annotations

import datetime

D = datetime.date

COMPANIES = [
    # name, name_ja, short name, parent, kind, country, city, website
    ("AGC Inc.", "AGC株式会社", "AGC", None, "holding", "Japan", "Tokyo", "https://www.agc.com/en/"),
    (
        "AGC Biologics",
        "AGCバイオロジクス",
        "AGC Biologics",
        "AGC Inc.",
        "cdmo",
        "United States",
        "Seattle",
        "https://www.agcbio.com/",
    ),
    (
        "MEDINET Co., Ltd.",
        "株式会社メディネット",
        "MEDINET",
        None,
        "cell_therapy",
        "Japan",
        "Tokyo (Ota-ku)",
        "https://www.medinet-inc.co.jp/",
    ),
]

# The month each company's fiscal year begins: AGC reports on the calendar year, MEDINET's year ends in September
# (its reports are "9月期"). AGC Biologics reports within AGC.
FISCAL_YEAR_STARTS = {"AGC Inc.": 1, "MEDINET Co., Ltd.": 10}

SITES = [
    # company, name, name_ja, city, country, status, operational since, capabilities, notes
    (
        "AGC Biologics",
        "Yokohama Technical Center",
        "横浜テクニカルセンター",
        "Yokohama (Tsurumi-ku)",
        "Japan",
        "partial",
        D(2025, 7, 1),
        ["process-development", "clinical-manufacturing", "cell-processing", "qc-testing"],
        "Cell-therapy process development and clinical manufacturing began 1 July 2025 (iPSC, MSC, HSC, CAR-T); "
        "full CDMO launch scheduled for 2026.",
    ),
    (
        "AGC Biologics",
        "Milan",
        "ミラノ",
        "Milan",
        "Italy",
        "operational",
        D(2020, 7, 1),
        ["process-development", "clinical-manufacturing", "commercial-manufacturing", "cell-processing", "qc-testing"],
        "Cell and gene therapy centre of excellence with commercial products. Start date approximate.",
    ),
    (
        "AGC Biologics",
        "Longmont",
        "ロングモント",
        "Longmont, Colorado",
        "United States",
        "operational",
        D(2021, 4, 1),
        ["process-development", "clinical-manufacturing", "commercial-manufacturing", "cell-processing"],
        "Acquired in 2021. Start date approximate.",
    ),
    (
        "AGC Biologics",
        "Chiba",
        "千葉",
        "Chiba",
        "Japan",
        "operational",
        D(2018, 1, 1),
        ["process-development", "clinical-manufacturing", "qc-testing"],
        "Mammalian protein site. Start date approximate.",
    ),
    (
        "MEDINET Co., Ltd.",
        "Shinagawa Cell Processing Center",
        "品川細胞培養加工施設",
        "Tokyo (Shinagawa)",
        "Japan",
        "operational",
        D(2015, 5, 1),
        ["cell-processing", "clinical-manufacturing", "qc-testing"],
        "Licensed under the Act on the Safety of Regenerative Medicine (May 2015).",
    ),
]

PARTNERSHIP = {
    "name": "AGC–MEDINET strategic partnership in cell-therapy CDMO",
    "name_ja": "AGC・メディネット 細胞治療CDMO事業における戦略的提携",
    "parties": ["AGC Inc.", "MEDINET Co., Ltd."],
    "announced_on": D(2024, 9, 11),
    "signed_on": D(2024, 9, 11),
    "status": "active",
    "scope": (
        "Exchange and train manufacturing and quality staff between the companies. AGC first sends staff to "
        "MEDINET to support its CDMO operation and build knowledge of the business in Japan. Prepare the launch "
        "of cell-therapy CDMO services at AGC Biologics' Yokohama site, scheduled for 2026, with part of the "
        "service beginning in 2025. The parties will discuss expanding the scope."
    ),
}
