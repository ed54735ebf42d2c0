"""Small HTML helpers for panels. Every value from data is escaped."""

from __future__ import annotations

import html
import numbers

import pandas as pd

STYLE = """<style>
.wb-table table {border-collapse: collapse; font-size: 13px; width: 100%;}
.wb-table th, .wb-table td {padding: 2px 8px; text-align: left; border-bottom: 1px solid #e5e5e5;}
.wb-table th {background: #f6f6f6;}
.wb-table td.num {text-align: right; font-variant-numeric: tabular-nums;}
.wb-status-error {color: #a40000; background: #fff0f0; padding: 6px 10px; border-left: 4px solid #d62728;}
.wb-status-busy {color: #0b4f8a; background: #eef6ff; padding: 6px 10px; border-left: 4px solid #1f77b4;}
.wb-status-success {color: #185c1e; background: #f0fff0; padding: 6px 10px; border-left: 4px solid #2ca02c;}
.wb-status-info {color: #333; background: #fafafa; padding: 6px 10px; border-left: 4px solid #bbb;}
.wb-history {font-size: 12px; color: #555; margin: 2px 0 0 14px;}
.wb-history ol {margin: 2px 0; padding-left: 18px;}
.wb-history .wb-level-error {color: #a40000;}
.wb-pm {font-size: 12px; padding: 2px 8px; margin: 2px 0; border-left: 3px solid #bbb;}
.wb-pm-error {color: #a40000; background: #fff0f0; border-left-color: #d62728;}
.wb-pm-busy {color: #0b4f8a; background: #eef6ff; border-left-color: #1f77b4;}
.wb-pm-success {color: #185c1e; border-left-color: #2ca02c;}
.wb-pm-info {color: #333;}
.wb-stale {opacity: 0.4; filter: grayscale(1);}
.wb-stale-note {font-size: 12px; color: #666; font-style: italic;}
</style>"""


def table(frame: pd.DataFrame, columns=None, *, caption: str | None = None, digits: int = 4,
          html_columns=()) -> str:
    """An escaped HTML table of ``frame`` (numbers right-aligned and rounded).

    ``html_columns`` hold HTML made by an item renderer (which escapes its own text) and are not
    escaped again.
    """
    columns = [c for c in (columns or frame.columns) if c in frame]
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
    body = []
    for _, row in frame[columns].iterrows():
        cells = []
        for c in columns:
            value = row[c]
            if c in html_columns:
                cells.append(f"<td>{value}</td>")
            elif isinstance(value, numbers.Real) and not isinstance(value, (bool, numbers.Integral)):
                cells.append(f'<td class="num">{value:.{digits}f}</td>')
            elif isinstance(value, numbers.Integral) and not isinstance(value, bool):
                cells.append(f'<td class="num">{value}</td>')
            else:
                cells.append(f"<td>{html.escape(str(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return STYLE + f'<div class="wb-table"><table>{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def items_grid(cells: list[str], total: int, *, caption: str = "selected") -> str:
    """A wrapping grid of rendered items (each cell already escaped by its renderer), with a count."""
    if not cells:
        return ""
    more = f" (the first {len(cells)} shown)" if total > len(cells) else ""
    body = "".join(f'<div style="border:1px solid #e5e5e5;padding:2px 6px;border-radius:3px">{c}</div>'
                   for c in cells)
    return (f'<div class="wb-items"><small>{total:,} {html.escape(caption)}{more}</small>'
            f'<div style="display:flex;flex-wrap:wrap;gap:4px;max-height:140px;overflow:auto">{body}</div></div>')


def status(message: str, level: str) -> str:
    return STYLE + f'<div class="wb-status-{level}">{html.escape(message)}</div>' if message else ""


def panel_message(message: str, level: str) -> str:
    """A panel's own message line (class ``wb-panel-message-<level>``; red for errors)."""
    if not message:
        return ""
    role = "alert" if level == "error" else "status"
    return STYLE + (f'<div class="wb-pm wb-pm-{level} wb-panel-message-{level}" role="{role}">'
                    f'{html.escape(message)}</div>')


def message_history(entries: list[dict]) -> str:
    """Earlier messages, newest first, folded under the status line (a ``<details>`` the person opens)."""
    if not entries:
        return ""
    items = "".join(f'<li class="wb-level-{html.escape(e["level"])}"><code>{html.escape(e["time"])}</code> '
                    f'{html.escape(e["text"])}</li>' for e in entries)
    return (STYLE + f'<details class="wb-history"><summary>earlier messages ({len(entries)})</summary>'
            f"<ol>{items}</ol></details>")


def stale_note(query: str) -> str:
    """The line over a greyed answer: it answers an earlier question, not the one in the box."""
    note = f"greyed: the answer to {html.escape(query)}, not to the new input"
    return STYLE + f'<div class="wb-stale-note">{note}</div>'
