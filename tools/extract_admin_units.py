"""Vendor the administrative-unit data of vietnamadminunits (MIT) into data/admin_units/.

    python tools/extract_admin_units.py path/to/vietnamadminunits-1.0.4-py3-none-any.whl

Only the data is taken (the 34 provinces and 3,321 communes since 1 July 2025, the
63 provinces / 10,040 communes before, and the official old → new mapping). The
package's code is not used: some of its functions call an online geocoder, and it
depends on a GPL library; the app needs neither.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "data" / "admin_units"
CURRENT_COLUMNS = [
    "provinceCode", "province", "provinceShort", "provinceKey", "provinceKeywords",
    "wardCode", "ward", "wardShort", "wardType", "wardKey", "wardKeywords",
]
LEGACY_COLUMNS = [
    "provinceCode", "province", "provinceShort", "provinceKey", "provinceKeywords",
    "districtCode", "district", "districtShort", "districtType", "districtKey", "districtKeywords",
    "wardCode", "ward", "wardShort", "wardType", "wardKey", "wardKeywords",
]


def rows(db: sqlite3.Connection, table: str, columns: list[str]) -> list[list]:
    out = []
    for row in db.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY provinceCode, wardCode"):
        out.append([json.loads(v) if isinstance(v, str) and v.startswith("[") else v for v in row])
    return out


def main(wheel: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as z, tempfile.TemporaryDirectory() as tmp:
        z.extract("vietnamadminunits/data/dataset.db", tmp)
        db = sqlite3.connect(Path(tmp) / "vietnamadminunits/data/dataset.db")
        for name, table, columns in (
            ("units_2025.json", "admin_units", CURRENT_COLUMNS),
            ("units_legacy.json", "admin_units_legacy", LEGACY_COLUMNS),
        ):
            data = {"columns": columns, "rows": rows(db, table, columns)}
            (OUT / name).write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        converter = json.loads(z.read("vietnamadminunits/data/converter_2025.json"))
        # Keep the mapping only; the split wards' coordinates served the geocoder we don't use.
        for per_province in converter["DICT_PROVINCE_WARD_DIVIDED"].values():
            for candidates in per_province.values():
                for c in candidates:
                    for key in ("newWardLat", "newWardLon", "newWardAreaKm2"):
                        c.pop(key, None)
        (OUT / "converter_2025.json").write_text(
            json.dumps(converter, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )
        (OUT / "LICENSE.vietnamadminunits").write_bytes(z.read("vietnamadminunits-1.0.4.dist-info/licenses/LICENSE"))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
