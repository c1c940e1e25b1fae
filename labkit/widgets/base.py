"""What the widget labs share: a view that re-runs its pure model on every change, and reading the
message of an API Gateway answer."""

from __future__ import annotations

import gc
import html
import json
from collections.abc import Callable, Hashable
from typing import Any, ClassVar

import ipywidgets as widgets

from ..shared import shared_lab


class ModelView(widgets.VBox):
    """A thin view (the ipywidgets tutorial's model/view split): `update` runs `run_model` for the
    controls' `params` and shows the outcome's SVG chart and summary; a ValueError shows as a warning."""

    image: widgets.Image
    summary: widgets.Label
    outcome: Any
    froze_long_lived: ClassVar[bool] = False  # gc.freeze() ran after a first update (one per process)

    @property
    def params(self) -> Any:
        """The model's parameters as the controls show them (each lab defines it)."""
        raise TypeError(f"{type(self).__name__} must define params")

    def run_model(self, params: Any, lab: Any) -> Any:
        """Run the lab's pure function on `lab` (None: the shared moto lab); each lab defines it."""
        raise TypeError(f"{type(self).__name__} must define run_model")

    def update(self) -> None:
        """Run the model for the current controls and show what it returned."""
        lab, note = widget_lab(getattr(self, "_lab", None))
        try:
            outcome = self.run_model(self.params, lab)
        except ValueError as error:
            self.summary.value = f"⚠ {error}"
            return
        self.outcome = outcome
        self.image.value = outcome.svg
        self.summary.value = f"{note} {outcome.summary}" if note else outcome.summary
        if not ModelView.froze_long_lived:  # once per process (gc.get_freeze_count() walks every frozen object)
            _freeze_long_lived()
            ModelView.froze_long_lived = True

    def _changed(self, _change: dict[str, Any]) -> None:
        self.update()


def _freeze_long_lived() -> None:
    """Once per process, after the first lab has run: move what exists now (moto's backends, botocore's
    models: ~10^5 objects that live as long as the kernel) out of the collector's full passes. A full
    pass over them costs ~150 ms here and otherwise lands in about one update in twenty. The kit's only
    gc.freeze(). https://docs.python.org/3/library/gc.html#gc.freeze"""
    gc.collect()
    gc.freeze()


def body_message(body: str) -> Any:
    """The body's `message` (or `Message`: denials use a capital M, as on AWS), else the whole body."""
    try:
        document = json.loads(body)
    except ValueError:
        return body
    if isinstance(document, dict):
        return document.get("message", document.get("Message", body))
    return body



# Run All reaches a notebook's clean-up cell, which closes the lab its widgets were given (issue 17).
LAB_CLOSED_NOTE = ("ⓘ This notebook's lab is closed (its last cell closed it), so this widget now runs on the "
                   "kit's own moto lab.")


SLIDER_WIDTH = "440px"  # a lab's sliders: wide enough to read a value off the track on a projector

# ipywidgets' Label keeps to one line and clips the rest (white-space: nowrap); a lab's summary wraps instead.
_WRAP_CLASS = "labkit-wrap"
_WRAP_CSS = (f"<style>.{_WRAP_CLASS} {{ white-space: normal !important; overflow: visible !important; "
             "height: auto !important; line-height: 1.4 !important; }</style>")


def summary_label() -> widgets.Label:
    """The summary line of a lab: a Label that wraps rather than clips (with `wrap_style()` in the same view)."""
    label = widgets.Label()
    label.add_class(_WRAP_CLASS)
    return label


def wrap_style() -> widgets.HTML:
    """The style element that lets `summary_label()`s wrap; add it once to a lab's children."""
    return widgets.HTML(_WRAP_CSS)


def widget_lab(lab: Any) -> tuple[Any, str]:
    """(the lab a widget runs on, a note for the learner): the widget's lab while it is open; once the
    notebook has closed it, None (the shared moto lab, which re-creates what the widget needs) and a note."""
    if lab is not None and getattr(lab, "closed", False):
        return None, LAB_CLOSED_NOTE
    return lab, ""


def lab_or_shared(lab: Any) -> Any:
    """The caller's Lab, else the process's shared moto Lab (labkit/shared.py)."""
    return lab if lab is not None else shared_lab()


def built_for(lab: Any, key: Hashable, build: Callable[[Any], Any]) -> tuple[Any, Any]:
    """(the lab, what `build` made for it, once): the caller's Lab, else the shared one. The lab keeps
    what was built under `key` (Lab.memo) and drops it when it closes."""
    lab = lab_or_shared(lab)
    return lab, lab.memo(key, lambda: build(lab))


# The lines an execution log opens with: the request echoed back. The widgets fold them away, so what
# happened (and the status it ended with) reads at a glance.
_ECHO = ("Starting execution for request", "HTTP Method:", "Method request path:", "Method request query string:",
         "Method request headers:", "Method request body before transformations:")
_PRE = "<pre style='font-size:13px;line-height:1.5;white-space:pre-wrap;margin:4px 0'>"


def log_html(lines: Any) -> str:
    """An execution log as HTML: what happened, then the whole log folded in a <details>."""
    lines = list(lines)
    happened = [line for line in lines if not line.startswith(_ECHO)] or lines
    return (f"<b>Execution log: what happened</b>{_PRE}{html.escape(chr(10).join(happened))}</pre>"
            f"<details><summary>the whole log ({len(lines)} lines)</summary>{_PRE}"
            f"{html.escape(chr(10).join(lines))}</pre></details>")


_FLOW_COLOURS = {"passed": ("#e6f4ea", "#2ca02c"), "answered": ("#fde8e8", "#d62728"),
                 "not reached": ("#f2f2f2", "#b0b0b0")}


def flow_html(outcome: Any, min_width: int = 70) -> str:
    """The steps an answer went through as a row of boxes: passed (green), the one that answered
    (red; blue when the integration or backend answered itself), not reached (grey). `outcome` has
    `flow` ((step, state) pairs), `status` and `response_type`."""
    boxes = []
    for step, state in outcome.flow:
        fill, edge = _FLOW_COLOURS[state]
        if state == "answered" and outcome.response_type is None:
            fill, edge = "#e8f0fd", "#1f77b4"
        label = html.escape(step) + (f"<br><b>{outcome.status}</b>" if state == "answered" else "")
        boxes.append(f'<div style="border:2px solid {edge};background:{fill};padding:4px 6px;margin:2px;'
                     f'border-radius:4px;font-size:12px;text-align:center;min-width:{min_width}px">{label}</div>')
    return '<div style="display:flex;flex-wrap:wrap;align-items:center">' + "→".join(boxes) + "</div>"
