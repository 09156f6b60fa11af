"""Where weights come from: model roles, models.lock, the hub, safe loading, and stand-ins for tests and benchmarks."""
