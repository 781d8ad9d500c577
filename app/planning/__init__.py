"""Route planning: the day's routes, the nightly plan and the route map."""
