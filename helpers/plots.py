"""One look for every chart in the suite.

Call :func:`use_theme` once in a notebook's setup cell; use the helpers here so
that no notebook carries its own styling. Every plotting function accepts
``ax=None`` (a new figure is made), returns the ``Axes`` and never calls
``plt.show()``.

Examples
--------
>>> import pandas as pd
>>> use_theme()
>>> ax = bar(pd.DataFrame({"channel": ["web", "app"], "revenue_hkd": [1200.0, 800.0]}),
...          x="channel", y="revenue_hkd", title="Web brings most revenue", money=True)
>>> ax.get_title()
'Web brings most revenue'
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib
import matplotlib.dates
import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import pandas as pd
import seaborn as sns

#: The suite's palette: deep teal for "us", then colours that stay distinct in greyscale print.
PALETTE: list[str] = ["#00696f", "#e07a1f", "#4c6ef5", "#c2255c", "#5c940d", "#862e9c", "#868e96", "#f08c00"]
#: Sequential map for heatmaps (retention, hour × weekday).
HEATMAP_CMAP = "YlGnBu"
#: Good / bad / neutral for pass-fail and significance charts.
STATUS_COLOURS = {"good": "#2b8a3e", "bad": "#c92a2a", "neutral": "#868e96"}


def use_theme(*, font_scale: float = 1.0) -> None:
    """Set the suite's seaborn theme and palette for every following chart.

    Examples
    --------
    >>> use_theme()
    >>> matplotlib.rcParams["axes.spines.top"]
    False
    """
    sns.set_theme(
        context="notebook",
        style="whitegrid",
        palette=PALETTE,
        font_scale=font_scale,
        rc={
            "figure.figsize": (8, 4.5),
            "figure.dpi": 100,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titleweight": "bold",
            "axes.titlesize": 13,
            "grid.color": "#e9ecef",
            # Fallbacks include CJK fonts so Chinese keywords and district names render where installed.
            "font.family": ["sans-serif"],
            "font.sans-serif": ["DejaVu Sans", "Noto Sans CJK TC", "Noto Sans CJK SC", "Arial Unicode MS"],
            "svg.hashsalt": "online-customer-lab",
        },
    )


def money(value: float, currency: str = "HK$") -> str:
    """Format an amount in ``currency``, short for large amounts.

    Parameters
    ----------
    value
        The amount.
    currency
        The symbol put before the number: "HK$" (default), "£" for UCI, "$" for CDNOW.

    Returns
    -------
    str
        E.g. ``"HK$950"``, ``"HK$12.5k"`` (from 10,000), ``"HK$3.4M"`` (from 1,000,000).

    Examples
    --------
    >>> money(950), money(12_500, "£"), money(-3_400_000, "$")
    ('HK$950', '£12.5k', '$-3.4M')
    """
    magnitude = abs(value)
    if magnitude >= 1_000_000:
        return f"{currency}{value / 1_000_000:,.1f}M"
    if magnitude >= 10_000:
        return f"{currency}{value / 1_000:,.1f}k"
    return f"{currency}{value:,.0f}"


def hkd(value: float, _position: object = None) -> str:
    """Format a number as Hong Kong dollars, short for large amounts (:func:`money` in HK$).

    Examples
    --------
    >>> hkd(950), hkd(12_500), hkd(3_400_000)
    ('HK$950', 'HK$12.5k', 'HK$3.4M')
    """
    return money(value)


def plain_text(text: object) -> str:
    """Text for a chart with every "$" escaped, so "HK$50 off HK$300" is not read as mathtext.

    Matplotlib treats the part between two unescaped "$" as maths (italic, spaces dropped);
    pass titles, labels and tick labels that may hold amounts through this.

    Parameters
    ----------
    text
        Anything; it is turned into ``str`` first.

    Returns
    -------
    str
        ``text`` with each "$" replaced by ``\\$`` (shown as a plain "$").

    Examples
    --------
    >>> print(plain_text("HK$50 off HK$300"))
    HK\\$50 off HK\\$300
    """
    return str(text).replace("$", r"\$")


def money_axis(ax: plt.Axes, currency: str = "HK$", axis: str = "y") -> plt.Axes:
    """Label the ticks of an axis as amounts in ``currency`` (see :func:`money`).

    A tick label holds one currency symbol, so it is never read as mathtext and needs no escaping.

    Parameters
    ----------
    ax
        The Axes whose axis is formatted.
    currency
        The symbol on each tick: "HK$" (default), "£" for UCI, "$" for CDNOW.
    axis
        ``"y"`` (default) or ``"x"``.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``, formatted.

    Examples
    --------
    >>> fig, ax = plt.subplots(); _ = money_axis(ax, "£")
    >>> ax.yaxis.get_major_formatter()(25_000, 0)
    '£25.0k'
    """
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(mticker.FuncFormatter(lambda value, _position: money(value, currency)))
    return ax


def hkd_axis(ax: plt.Axes, axis: str = "y") -> plt.Axes:
    """Label an axis in HK$ (:func:`money_axis` with the default currency).

    Examples
    --------
    >>> fig, ax = plt.subplots(); _ = hkd_axis(ax)
    >>> ax.yaxis.get_major_formatter()(25_000, 0)
    'HK$25.0k'
    """
    return money_axis(ax, "HK$", axis)


def percent_axis(ax: plt.Axes, axis: str = "y", decimals: int = 0) -> plt.Axes:
    """Label an axis of shares (0–1) as percentages.

    Examples
    --------
    >>> fig, ax = plt.subplots(); _ = percent_axis(ax)
    >>> ax.yaxis.get_major_formatter()(0.25, 0)
    '25%'
    """
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(mticker.PercentFormatter(xmax=1.0, decimals=decimals))
    return ax


def _axes(ax: plt.Axes | None, figsize: tuple[float, float] | None = None) -> plt.Axes:
    if ax is not None:
        return ax
    _, new_ax = plt.subplots(figsize=figsize)
    return new_ax


def finish(
    ax: plt.Axes,
    *,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    money: bool | str = False,
    percent: bool | str = False,
) -> plt.Axes:
    """Apply the title, axis labels and HK$ / % formatting; return ``ax``.

    ``money`` and ``percent`` take ``True`` (the y axis) or ``"x"``.

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> finish(ax, title="Spend by month", ylabel="Revenue (HK$)", money=True).get_ylabel()
    'Revenue (HK$)'
    """
    if title is not None:
        ax.set_title(title)
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    if money:
        hkd_axis(ax, "x" if money == "x" else "y")
    if percent:
        percent_axis(ax, "x" if percent == "x" else "y")
    return ax


def bar(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    hue: str | None = None,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    money: bool = False,
    percent: bool = False,
    horizontal: bool = False,
    highlight: Sequence[object] = (),
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """A bar chart of ``y`` by ``x`` in the suite's style; ``highlight`` colours chosen bars.

    Examples
    --------
    >>> ax = bar(pd.DataFrame({"tier": ["Gold", "none"], "share": [0.4, 0.1]}),
    ...          x="tier", y="share", percent=True, highlight=["Gold"])
    >>> len(ax.patches)
    2
    """
    ax = _axes(ax)
    data = frame.reset_index() if x not in frame.columns else frame
    if highlight and hue is None:
        colours = [PALETTE[1] if value in set(highlight) else PALETTE[0] for value in data[x]]
        positions = range(len(data))
        if horizontal:
            ax.barh(list(positions), data[y], color=colours)
            ax.set_yticks(list(positions), [str(v) for v in data[x]])
            ax.invert_yaxis()
        else:
            ax.bar(list(positions), data[y], color=colours)
            ax.set_xticks(list(positions), [str(v) for v in data[x]])
    elif horizontal:
        sns.barplot(data=data, y=x, x=y, hue=hue, ax=ax, orient="h")
    else:
        sns.barplot(data=data, x=x, y=y, hue=hue, ax=ax)
    value_axis = "x" if horizontal else True
    return finish(
        ax,
        title=title,
        xlabel=xlabel if xlabel is not None else (y if horizontal else x),
        ylabel=ylabel if ylabel is not None else (x if horizontal else y),
        money=value_axis if money else False,
        percent=value_axis if percent else False,
    )


def line(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    hue: str | None = None,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    money: bool = False,
    percent: bool = False,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """A line chart of ``y`` over ``x``.

    Examples
    --------
    >>> ax = line(pd.DataFrame({"month": [1, 2, 3], "revenue_hkd": [10.0, 12.0, 9.0]}), x="month", y="revenue_hkd")
    >>> len(ax.lines)
    1
    >>> line(pd.DataFrame({"month": [1, 2], "revenue_hkd": [1.0, 2.0]}), x="month", y="revenue_hkd", xlabel="").get_xlabel()
    ''
    """
    ax = _axes(ax)
    data = frame.reset_index() if x not in frame.columns else frame
    sns.lineplot(data=data, x=x, y=y, hue=hue, ax=ax, marker="o" if len(data) <= 40 else None)
    return finish(ax, title=title, xlabel=x if xlabel is None else xlabel, ylabel=y if ylabel is None else ylabel, money=money, percent=percent)


def heatmap(
    matrix: pd.DataFrame,
    *,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    percent: bool = False,
    annotate: bool | None = None,
    cmap: str = HEATMAP_CMAP,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """A heatmap of a matrix (e.g. cohort × month retention, weekday × hour orders).

    Annotates cells when the matrix is small enough to read.

    Examples
    --------
    >>> ax = heatmap(pd.DataFrame([[1.0, 0.5], [1.0, 0.4]], index=["2024-01", "2024-02"]), percent=True)
    >>> ax.get_ylabel()
    ''
    """
    ax = _axes(ax, figsize=(min(1.0 + 0.55 * matrix.shape[1], 14), min(1.0 + 0.4 * matrix.shape[0], 10)))
    if annotate is None:
        annotate = matrix.size <= 300
    sns.heatmap(
        matrix.astype(float),
        ax=ax,
        cmap=cmap,
        annot=annotate,
        fmt=".0%" if percent else ".0f",
        annot_kws={"size": 8},
        linewidths=0.5,
        linecolor="white",
        cbar_kws={"format": mticker.PercentFormatter(xmax=1.0)} if percent else None,
    )
    return finish(ax, title=title, xlabel=xlabel if xlabel is not None else "", ylabel=ylabel if ylabel is not None else "")


def mark_dates(
    ax: plt.Axes, dates: dict[str, pd.Timestamp | str], *, colour: str = PALETTE[1]
) -> plt.Axes:
    """Draw labelled vertical lines at events (Lunar New Year, 11.11, Christmas…) on a time axis.

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot(pd.to_datetime(["2025-01-01", "2025-03-01"]), [1, 2])
    >>> len(mark_dates(ax, {"Lunar New Year": "2025-01-29"}).lines)
    2
    """
    low, high = ax.get_xlim()
    for label, when in dates.items():
        x = matplotlib.dates.date2num(pd.Timestamp(when))
        if low <= x <= high:
            ax.axvline(x, color=colour, linestyle="--", linewidth=1)
            ax.annotate(label, xy=(x, 1.0), xycoords=("data", "axes fraction"), rotation=90,
                        va="top", ha="right", fontsize=8, color=colour)
    return ax
