"""The risk register: markers on addresses and the precautions a visit needs."""
