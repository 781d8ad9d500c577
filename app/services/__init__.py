"""Business rules. Routes call these; these call app.data and the models."""
