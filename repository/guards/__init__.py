"""Guards every layer may use: JSON with a bound on nesting, and telling a service outage from a bug."""
