"""A student's controller for the solar tracker: proportional control on the sensor difference."""

GAIN = 2.0  # degrees per second for each sun of difference between the sensors


def control(sensors: tuple[float, float], state: dict[str, float]) -> float:
    west, east = sensors
    if west + east < 0.001:  # night, or the sun behind the hill: go back to rest
        return -state["angle"] / state["dt"]
    return GAIN * (west - east)
