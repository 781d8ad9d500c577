"""Kiosks at community hubs and their video calls to phone agents."""
