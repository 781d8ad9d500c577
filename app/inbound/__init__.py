"""Texts from residents: each reply goes to the package that owns its rule (booking, safety, customers,
messaging)."""
