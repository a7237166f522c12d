"""Propagation as CSV, for a merchant's spreadsheet."""

from __future__ import annotations

import csv
import io

from sharemall.analytics.selectors import Propagation

HEADER = ["degree", "clicks", "reach", "orders", "buyers", "conversion"]


def propagation_csv(report: Propagation) -> str:
    """One row per degree, then the summary figures; UTF-8 with a BOM so Excel in China opens
    it right."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in report.by_degree:
        conversion = "" if row.conversion is None else f"{row.conversion:.4f}"
        writer.writerow([row.degree, row.clicks, row.reach, row.orders, row.buyers, conversion])
    writer.writerow([])
    writer.writerow(["viral_coefficient", report.viral_coefficient])
    half_life = "" if report.half_life_hours is None else report.half_life_hours
    writer.writerow(["half_life_hours", half_life])
    for name, value in report.totals.items():
        writer.writerow([f"total_{name}", value])
    writer.writerow([])
    writer.writerow(["date", "clicks", "orders"])
    for day in report.series:
        writer.writerow([day["date"].isoformat(), day["clicks"], day["orders"]])
    return out.getvalue()
