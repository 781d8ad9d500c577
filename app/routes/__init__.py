"""Routes: thin views that parse input, call a service and render."""
