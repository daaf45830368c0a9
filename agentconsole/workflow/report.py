"""The report's three shapes: a table for people, CSV for spreadsheets, JSON for monitoring."""

from __future__ import annotations

import csv
import io
import json

from agentconsole.workflow.metrics import Figures, flatten
from agentconsole.workflow.rules import REASON_LABELS

FORMATS = ("table", "json", "csv")


def _value(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _count(n: object, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _pct(value: object) -> str:
    return f"{value * 100:.1f}%" if isinstance(value, float) else "-"


def render_json(figures: Figures) -> str:
    """The nested figures, plus every scalar again under its dotted name (``"csat.mean"``) at the top."""
    return json.dumps({**figures, **flatten(figures)}, indent=2, ensure_ascii=False) + "\n"


def render_csv(figures: Figures) -> str:
    """One ``metric,value`` row per scalar figure (dotted names); empty value when there is none."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("metric", "value"))
    for key, value in flatten(figures).items():
        writer.writerow((key, "" if value is None else value))
    return out.getvalue()


def _draft_line(name: str, group: dict[str, object]) -> str:
    return (
        f"  {name:<28} {group['total']:>5} drafts  as-is {_pct(group['acceptance_rate']):>6}  "
        f"edited {_pct(group['edit_rate']):>6}  discarded {_pct(group['discard_rate']):>6}  "
        f"good {group['rated_good']} / bad {group['rated_bad']}"
    )


def render_table(figures: Figures) -> str:
    """A plain-text summary for the terminal."""
    period = figures["period"]
    cases = figures["cases"]
    first = figures["first_response"]
    resolution = figures["resolution"]
    drafts = figures["drafts"]
    csat = figures["csat"]
    assert isinstance(period, dict) and isinstance(cases, dict) and isinstance(drafts, dict)
    assert isinstance(first, dict) and isinstance(resolution, dict) and isinstance(csat, dict)
    ages = cases["age"]
    assert isinstance(ages, dict)
    lines = [
        f"Period: {period['since'] or 'all time'} to {period['until']}",
        "",
        "Cases",
        f"  open {cases['open']}  pending {cases['pending']}  resolved {cases['resolved']}  closed {cases['closed']}"
        f"  (total {cases['total']}, opened in period {cases['created']})",
        f"  unresolved by age: <1d {ages['lt_1d']}  1-3d {ages['1_3d']}  3-7d {ages['3_7d']}  >7d {ages['gt_7d']}",
        f"  first response: {_count(first['count'], 'case')}, median {_value(first['median_minutes'])} min, "
        f"mean {_value(first['mean_minutes'])} min",
        f"  resolution: {_count(resolution['count'], 'case')}, median {_value(resolution['median_hours'])} h, "
        f"mean {_value(resolution['mean_hours'])} h",
        "",
        "AI drafts",
        f"  total {drafts['total']}: sent as-is {drafts['sent_as_is']}, edited {drafts['edited']} "
        f"(mean edit ratio {_value(drafts['mean_edit_ratio'])}), discarded {drafts['discarded']}, "
        f"undecided {drafts['undecided']}",
        f"  acceptance {_pct(drafts['acceptance_rate'])}, edit {_pct(drafts['edit_rate'])}, "
        f"discard {_pct(drafts['discard_rate'])}; rated good {drafts['rated_good']}, bad {drafts['rated_bad']}",
    ]
    reasons = drafts["reasons"]
    assert isinstance(reasons, dict)
    if any(reasons.values()):
        lines.append("  bad because: " + ", ".join(f"{REASON_LABELS[r]} {n}" for r, n in reasons.items() if n))
    for title, key in (("by task", "by_task"), ("by model", "by_model")):
        groups = drafts[key]
        assert isinstance(groups, dict)
        if groups:
            lines.append(f"  {title}:")
            lines.extend(_draft_line(name, group) for name, group in groups.items())
    distribution = csat["distribution"]
    assert isinstance(distribution, dict)
    lines += [
        "",
        "Customer satisfaction",
        f"  {_count(csat['count'], 'answer')}, mean {_value(csat['mean'])} / 5, satisfied (4-5) {_pct(csat['satisfied_rate'])}",
        "  distribution: " + "  ".join(f"{score}: {n}" for score, n in distribution.items()),
        "",
        "Reveals and copies of real values",
    ]
    for action in ("reveals", "copies"):
        block = figures[action]
        assert isinstance(block, dict)
        per_agent = block["by_agent"]
        assert isinstance(per_agent, dict)
        shown = ", ".join(f"{agent} {n}" for agent, n in per_agent.items()) or "none"
        lines.append(f"  {action}: {block['total']} ({shown})")
    return "\n".join(lines) + "\n"


def render(figures: Figures, fmt: str) -> str:
    if fmt == "json":
        return render_json(figures)
    if fmt == "csv":
        return render_csv(figures)
    if fmt == "table":
        return render_table(figures)
    raise ValueError(f"unknown report format {fmt!r}")
