"""HMPPS tiering: V2 (protect A-D + change 0-3, "S" when unsupervised) and V3 (single tier A-G, provisional)."""

from openprobation.rules.tiering.v2 import TierV2Input, TierV2Result, tier_v2_calculate
from openprobation.rules.tiering.v3 import TierV3Input, TierV3Result, tier_v3_calculate

__all__ = [
    "TierV2Input",
    "TierV2Result",
    "TierV3Input",
    "TierV3Result",
    "tier_v2_calculate",
    "tier_v3_calculate",
]
