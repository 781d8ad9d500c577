"""The demo county: a council like Wiltshire with 20 community areas."""
