"""`gkreport review`: one row per report for the office that receives the reports and sends back corrections.

CLI: ``gkreport review --db results.sqlite [--year Y] [--verdict V] [--format table|csv|json|html]
[--output FILE]`` → ``render_review(build_review(db, year), fmt)``. `compute` builds the rows (its docstring
says what each holds), `render` writes them; the verdict rules are data (data/review_rules.json).
"""

from __future__ import annotations

from gkreport.review.compute import ReportReview, build_review, judge, repeated_runs, verdict_rules
from gkreport.review.render import REVIEW_FORMATS, render_review

__all__ = ["REVIEW_FORMATS", "ReportReview", "build_review", "judge", "render_review", "repeated_runs", "verdict_rules"]
