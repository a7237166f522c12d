"""A propagation report as pages draw it (web/propagation.html), for the merchant console and
the back office alike."""

from __future__ import annotations

from typing import Any

from sharemall.analytics.selectors import Propagation
from sharemall.web.charts import bar_chart, line_chart
from sharemall.web.dashboards import count_text


def report_context(report: Propagation, *, post_id: int | None = None) -> dict[str, Any]:
    """What web/propagation.html#report needs besides `product`: the report, its charts and
    the CSV link."""
    query = f"post_id={post_id}" if post_id else f"product_id={report.product_id}"
    return {
        "report": report,
        "csv_url": f"/api/v1/analytics/propagation.csv?{query}",
        "by_degree_chart": bar_chart(
            [str(row.degree) for row in report.by_degree],
            [[row.clicks for row in report.by_degree], [row.orders for row in report.by_degree]],
            fmt=count_text,
        ),
        "daily_chart": line_chart(
            [f"{day['date']:%m-%d}" for day in report.series],
            [[day["clicks"] for day in report.series], [day["orders"] for day in report.series]],
            fmt=count_text,
        ),
    }
