"""Credit: the one bridge to licensing/ (licence basis of a version and attribution of the works it adapts)."""
