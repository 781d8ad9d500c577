"""Reports and the council's measures."""
