"""A layer panel's output-size formula (``= ⌊(n − f + 2p)/s⌋ + 1`` after its name) stays inside its panel
at every window width: it wraps rather than running over the neighbouring column."""

import pytest
from playwright.sync_api import Page

from e2e.test_lenet_page import open_lenet

# For each panel formula, how far (px) its right edge runs past its panel's.
OVERRUN = """
() => Array.from(document.querySelectorAll(".panel-formula"), (formula) => {
  const panel = formula.closest(".panel");
  return formula.getBoundingClientRect().right - panel.getBoundingClientRect().right;
})
"""


@pytest.mark.parametrize("width", [1920, 1280, 1024, 390])
def test_lenet_layer_formulas_stay_inside_their_panels(
    page: Page, live_server: str, errors: list[str], width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    open_lenet(page, f"{live_server}/lenet")
    overruns = page.evaluate(OVERRUN)
    assert len(overruns) >= 4, "C1, S2, C3 and S4 show their output-size formulas"
    assert max(overruns) <= 0.5, f"a formula runs {max(overruns):.0f} px past its panel"
