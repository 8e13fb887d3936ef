"""Japanese titles and names of the illustrative records, for people who read the demo in Japanese.

Keyed by the Latin title, code or name in demo/illustrative.py; a test checks that every record has one.
"""

from __future__ import annotations

MILESTONE_TITLES = {
    "Strategic partnership agreement signed": "戦略的提携契約の締結",
    "Joint steering committee charter approved": "合同運営委員会の規程承認",
    "First AGC staff start at MEDINET": "AGC社員のメディネットでの業務開始（第1陣）",
    "Yokohama cell-processing suite qualified": "横浜 細胞加工室の適格性確認完了",
    "Yokohama partial service start (2025)": "横浜 サービスの一部開始（2025年）",
    "Yokohama QC method transfer complete": "横浜 品質管理試験法の技術移転完了",
    "Yokohama inspection readiness": "横浜 査察対応準備の完了",
    "MEDINET staff trained at Yokohama": "メディネット社員の横浜での研修修了",
    "Yokohama cell-therapy CDMO launch (2026)": "横浜 細胞治療CDMOサービスの本格開始（2026年）",
    "First joint client batch released": "共同受託の初回バッチ出荷判定",
}
REQUIREMENT_TITLES = {
    "SOP-GOWN-B": "グレードB区域の更衣認定",
    "SOP-ASEP-004": "アイソレーター内の無菌操作",
    "SOP-QA-012": "逸脱処理とCAPA",
    "SOP-QA-020": "製造記録の照査",
    "SOP-QC-031": "フローサイトメトリーによる確認試験",
}
CURRICULUM_NAMES = {
    "Cell processing at Yokohama": "横浜 細胞加工",
    "Quality assurance at Yokohama": "横浜 品質保証",
    "QC testing at Yokohama": "横浜 品質管理試験",
    "Cell processing at Shinagawa": "品川 細胞加工",
}
