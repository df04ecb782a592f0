"""A sensor-difference controller for the solar tracker on a hill (the worked example in sims/README.md)."""

GAIN = 3.0  # degrees per second for a fully one-sided reading (see `control`)
DEADBAND = 0.002  # ignore normalised differences smaller than this: the motor stops, saving travel


def control(sensors: tuple[float, float], state: dict[str, float]) -> float:
    """Return the motor speed in degrees per second (positive turns the panel west)."""
    west, east = sensors
    total = west + east
    if total < 0.001:  # night, or the sun behind the hill: drive back to rest (0 degrees)
        return -state["angle"] / state["dt"]
    difference = (west - east) / total  # -1 .. 1, whatever the sky's brightness
    if abs(difference) < DEADBAND:
        return 0.0
    return GAIN * difference
