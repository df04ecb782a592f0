"""CC's charts as test data, transcribed independently of licensing.rules, with their sources."""

# The seven 4.0 tools of the adapter's chart; PD is represented by CC0 1.0.
FOUR_O = {
    "BY": "CC-BY-4.0",
    "BY-SA": "CC-BY-SA-4.0",
    "BY-NC": "CC-BY-NC-4.0",
    "BY-NC-SA": "CC-BY-NC-SA-4.0",
    "BY-ND": "CC-BY-ND-4.0",
    "BY-NC-ND": "CC-BY-NC-ND-4.0",
    "PD": "CC0-1.0",
}

# Source: CC FAQ, "If I derive or adapt material offered under a Creative Commons license, which
# CC license(s) can I use?", https://creativecommons.org/faq/ — the adapter's licence chart.
# "green" = may use, "yellow" = "CC does not recommend ... although doing so is technically
# permitted", "gray" = "licenses that you may not use as your adapter's license".
# (original licence, adapter's licence): cell
ADAPTER_CHART = {
    ("PD", "BY"): "green",
    ("PD", "BY-NC"): "green",
    ("PD", "BY-NC-ND"): "green",
    ("PD", "BY-NC-SA"): "green",
    ("PD", "BY-ND"): "green",
    ("PD", "BY-SA"): "green",
    ("PD", "PD"): "green",
    ("BY", "BY"): "green",
    ("BY", "BY-NC"): "green",
    ("BY", "BY-NC-ND"): "green",
    ("BY", "BY-NC-SA"): "green",
    ("BY", "BY-ND"): "green",
    ("BY", "BY-SA"): "green",
    ("BY", "PD"): "yellow",
    ("BY-NC", "BY"): "yellow",
    ("BY-NC", "BY-NC"): "green",
    ("BY-NC", "BY-NC-ND"): "green",
    ("BY-NC", "BY-NC-SA"): "green",
    ("BY-NC", "BY-ND"): "yellow",
    ("BY-NC", "BY-SA"): "yellow",
    ("BY-NC", "PD"): "yellow",
    **{("BY-NC-ND", col): "gray" for col in FOUR_O},
    **{("BY-NC-SA", col): "green" if col == "BY-NC-SA" else "gray" for col in FOUR_O},
    **{("BY-ND", col): "gray" for col in FOUR_O},
    **{("BY-SA", col): "green" if col == "BY-SA" else "gray" for col in FOUR_O},
}

# Source: CC FAQ, "Can I combine material under different Creative Commons licenses in my work?",
# https://creativecommons.org/faq/ — the "CC License Compatibility Chart" image: a check mark
# means "the works can be remixed", an X that they "may not be remixed". Listed as the pairs that
# may NOT be remixed; every other pair of the eight may (the chart is symmetric).
REMIX_IDS = {**FOUR_O, "PDM": "CC-PDM-1.0", "CC0": "CC0-1.0"}
del REMIX_IDS["PD"]
_ND = {"BY-ND", "BY-NC-ND"}
REMIX_FORBIDDEN = {
    frozenset(pair)
    for pair in [
        *((nd, other) for nd in _ND for other in REMIX_IDS),
        ("BY-SA", "BY-NC"),
        ("BY-SA", "BY-NC-SA"),
    ]
}
