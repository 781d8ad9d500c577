"""What the council offers and where: services, hubs and their opening hours."""
