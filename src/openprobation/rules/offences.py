"""Home Office offence codes and their actuarial weights.

Data: ``policy/offence-actuarial-mapping.csv``, 3,028 codes, from the Ministry of Justice's public
hmpps-arns-risk-actuarial-api repository (MIT licence, Crown copyright), file
``wiremock-manage-offences-api/__files/actuarial-mapping.json`` at commit 52792f4, converted to CSV; the values
there were exported from the OASys offence tables.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources

OFFENCE_CODE_PATTERN = re.compile(r"^[0-9]{5}$")
POLICY_VERSION = "offence-mapping-52792f4"
SOURCE = "ministryofjustice/hmpps-arns-risk-actuarial-api 52792f4, wiremock-manage-offences-api actuarial-mapping.json"


@dataclass(frozen=True)
class Offence:
    code: str
    ogrs3_category: str
    ogrs3_weight: Decimal | None
    ogrs3_error: str
    snsv_category: str
    snsv_static_weight: Decimal | None
    snsv_dynamic_weight: Decimal | None
    vatp_category: str
    vatp_static_weight: Decimal | None
    vatp_dynamic_weight: Decimal | None
    opd_violence_or_sex: bool

    @property
    def has_description(self) -> bool:
        return bool(self.ogrs3_category) and self.ogrs3_category != "Missing description"


def _dec(value: str) -> Decimal | None:
    return Decimal(value) if value.strip() else None


@cache
def offence_table() -> dict[str, Offence]:
    text = resources.files(__package__).joinpath("policy/offence-actuarial-mapping.csv").read_text()
    table: dict[str, Offence] = {}
    for row in csv.DictReader(io.StringIO(text)):
        table[row["offence_code"]] = Offence(
            code=row["offence_code"],
            ogrs3_category=row["ogrs3_category"],
            ogrs3_weight=_dec(row["ogrs3_weight"]),
            ogrs3_error=row["ogrs3_error"],
            snsv_category=row["snsv_category"],
            snsv_static_weight=_dec(row["snsv_static_weight"]),
            snsv_dynamic_weight=_dec(row["snsv_dynamic_weight"]),
            vatp_category=row["vatp_category"],
            vatp_static_weight=_dec(row["vatp_static_weight"]),
            vatp_dynamic_weight=_dec(row["vatp_dynamic_weight"]),
            opd_violence_or_sex=row["opd_violence_or_sex"].strip().lower() == "true",
        )
    return table


def offence_code_problem(code: str) -> str | None:
    """Why an offence code cannot be recorded, or None if it can."""
    if not OFFENCE_CODE_PATTERN.match(code):
        return "Enter a Home Office offence code of 5 digits, like 00101"
    offence = offence_table().get(code)
    if offence is None:
        return f"Offence code {code} is not a known Home Office offence code"
    if not offence.has_description:
        return f"Offence code {code} has no description in the offence table; use the code of the exact offence"
    return None
