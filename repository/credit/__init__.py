"""Credit: a version's licence basis (the works it adapts) and its attribution, from licensing/."""
