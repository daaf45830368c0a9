"""The supervisor dashboard (F5): the report's figures as terminal charts, over a chosen period.

Charts are textual-plotext widgets; the figures come from the service's
``workflow_report`` (the same as ``agentconsole report``), loaded in a thread
worker that a newer period cancels. ``now`` is injectable so tests and
snapshots get fixed periods.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static, Tab, Tabs
from textual.worker import get_current_worker
from textual_plotext import PlotextPlot

from agentconsole.errors import AgentConsoleError


def _stable_tick_order() -> None:
    """Make plotext lay out tick labels the same way in every process.

    plotext 5.3 removes duplicate ticks with ``list(set(...))``, so the order of the
    (position, label) pairs, and with it where labels land when they crowd, follows
    ``PYTHONHASHSEED``: the same figures drew differently from run to run. The
    replacement removes the same duplicates and keeps the given order.
    """
    from plotext import _utility

    def no_duplicates(data: Iterable[Any]) -> list[Any]:
        return list(dict.fromkeys(data))

    _utility.no_duplicates = no_duplicates


_stable_tick_order()

#: Period tabs: id -> (label, days back from now; None = all time).
PERIODS: dict[str, tuple[str, int | None]] = {
    "p7": ("7 days", 7),
    "p30": ("30 days", 30),
    "p90": ("90 days", 90),
    "pall": ("All time", None),
}
CHARTS = ("status", "age", "drafts", "csat", "csat-trend", "disclosures")
AGE_LABELS = {"lt_1d": "<1d", "1_3d": "1-3d", "3_7d": "3-7d", "gt_7d": ">7d"}


def _pct(value: object) -> str:
    return f"{value * 100:.0f}%" if isinstance(value, float) else "–"


def _num(value: object, unit: str) -> str:
    return f"{value:g} {unit}" if isinstance(value, (int, float)) else "–"


def summary_text(figures: dict[str, Any]) -> str:
    """The headline figures above the charts."""
    first, resolution, drafts, csat = (figures[k] for k in ("first_response", "resolution", "drafts", "csat"))
    lines = [
        f"First response: median {_num(first['median_minutes'], 'min')} ({first['count']} cases) · "
        f"Resolution: median {_num(resolution['median_hours'], 'h')} ({resolution['count']} cases) · "
        f"CSAT {_num(csat['mean'], '/ 5')} from {csat['count']} answers, {_pct(csat['satisfied_rate'])} satisfied",
        f"AI drafts: {drafts['total']} · as-is {_pct(drafts['acceptance_rate'])} · edited "
        f"{_pct(drafts['edit_rate'])} · discarded {_pct(drafts['discard_rate'])} · rated good "
        f"{drafts['rated_good']}, bad {drafts['rated_bad']}",
    ]
    models = [
        f"{name}: {g['total']} drafts, as-is {_pct(g['acceptance_rate'])}, good {g['rated_good']}/bad {g['rated_bad']}"
        for name, g in drafts["by_model"].items()
    ]
    lines.append("By model: " + ("; ".join(models) if models else "no drafts in this period"))
    return "\n".join(lines)


class DashboardScreen(Screen[None]):
    """Cases, response times, AI draft outcomes and ratings, CSAT, reveals and copies (supervisors)."""

    DEFAULT_CSS = """
    DashboardScreen #dashboard { height: 1fr; }
    DashboardScreen #dashboard-summary { height: auto; padding: 0 1; }
    DashboardScreen #dashboard-charts { grid-size: 3 2; height: 1fr; }
    DashboardScreen PlotextPlot { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f5", "close", "Close"),
        Binding("r", "refresh", "Refresh"),
        Binding("left", "period(-1)", "Period", show=False),
        Binding("right", "period(1)", "Period", show=False),
    ]

    def __init__(self, service: Any, *, now: Callable[[], datetime] | None = None, period: str = "p30") -> None:
        super().__init__()
        self.service = service
        self.now = now or (lambda: datetime.now(UTC))
        self.period = period
        #: The figures on screen (None until the first load ends): tests wait on it.
        self.figures: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dashboard"):
            yield Static("Supervisor dashboard", classes="form-title", markup=False)
            yield Tabs(*[Tab(label, id=key) for key, (label, _) in PERIODS.items()], active=self.period)
            yield Static("loading…", id="dashboard-summary", markup=False)
            with Grid(id="dashboard-charts"):
                for name in CHARTS:
                    yield PlotextPlot(id=f"chart-{name}")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(Tabs).focus()
        self.load()

    @on(Tabs.TabActivated)
    def _period_chosen(self, event: Tabs.TabActivated) -> None:
        if event.tab.id and event.tab.id != self.period:
            self.period = event.tab.id
            self.load()

    def action_period(self, step: int) -> None:
        keys = list(PERIODS)
        self.query_one(Tabs).active = keys[(keys.index(self.period) + step) % len(keys)]

    def action_refresh(self) -> None:
        self.load()

    def action_close(self) -> None:
        self.dismiss(None)

    def load(self) -> None:
        self.figures = None
        now = self.now()
        days = PERIODS[self.period][1]
        self._load(now - timedelta(days=days) if days is not None else None, now)

    @work(thread=True, exclusive=True, group="dashboard")
    def _load(self, since: datetime | None, now: datetime) -> None:
        worker = get_current_worker()
        try:
            figures = self.service.workflow_report(since=since, now=now)
        except AgentConsoleError as exc:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._failed, exc.message)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show, figures)

    def _failed(self, message: str) -> None:
        self.query_one("#dashboard-summary", Static).update(message)

    def _show(self, figures: dict[str, Any]) -> None:
        self.query_one("#dashboard-summary", Static).update(summary_text(figures))
        cases, drafts, csat = figures["cases"], figures["drafts"], figures["csat"]
        statuses = ["open", "pending", "resolved", "closed"]
        self._bars("status", "Cases by status (now)", statuses, [cases[s] for s in statuses])
        self._bars("age", "Unresolved cases by age", list(AGE_LABELS.values()), [cases["age"][k] for k in AGE_LABELS])
        tasks = list(drafts["by_task"])
        outcomes = [[drafts["by_task"][t][o] for t in tasks] for o in ("sent_as_is", "edited", "discarded")]
        self._multi("drafts", "AI drafts by task", tasks, outcomes, ["as-is", "edited", "discarded"])
        scores = ["1", "2", "3", "4", "5"]
        self._bars("csat", "CSAT answers by score", scores, [csat["distribution"][s] for s in scores])
        self._trend(csat)
        agents = sorted(set(figures["reveals"]["by_agent"]) | set(figures["copies"]["by_agent"]))
        counts = [[figures[a]["by_agent"].get(n, 0) for n in agents] for a in ("reveals", "copies")]
        self._multi("disclosures", "Reveals and copies per agent", agents, counts, ["reveals", "copies"])
        self.figures = figures

    def _plot(self, name: str, title: str) -> Any:
        widget = self.query_one(f"#chart-{name}", PlotextPlot)
        plt = widget.plt
        plt.clear_figure()
        plt.title(title)
        return widget, plt

    @staticmethod
    def _counts_axis(plt: Any, values: list[int]) -> None:
        """Whole-number ticks: these are counts."""
        top = max([*values, 1])
        step = max(1, -(-top // 5))
        plt.yticks(list(range(0, top + 1, step)))

    def _bars(self, name: str, title: str, labels: list[str], values: list[int]) -> None:
        widget, plt = self._plot(name, title)
        positions = list(range(1, len(labels) + 1))  # numeric x and explicit labels: the same layout every run
        plt.bar(positions, values)
        plt.xticks(positions, labels)
        self._counts_axis(plt, values)
        widget.refresh()

    def _multi(self, name: str, title: str, labels: list[str], series: list[list[int]], names: list[str]) -> None:
        widget, plt = self._plot(name, title)
        if labels:
            positions = list(range(1, len(labels) + 1))
            plt.multiple_bar(positions, series, labels=names)
            plt.xticks(positions, labels)
            self._counts_axis(plt, [v for values in series for v in values])
        else:
            plt.bar(["none"], [0])
        widget.refresh()

    def _trend(self, csat: dict[str, Any]) -> None:
        widget, plt = self._plot("csat-trend", f"CSAT mean per {csat['bucket']}")
        points = csat["series"]
        if points:
            plt.plot(list(range(1, len(points) + 1)), [p["mean"] for p in points], marker="braille")
            plt.xticks(list(range(1, len(points) + 1)), [p["start"][5:] for p in points])
        plt.ylim(1, 5)
        widget.refresh()
