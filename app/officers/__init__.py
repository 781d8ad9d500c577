"""Officers: the roster, when each works, travel times, the rules for skills, areas and absences, and their
calendar feeds."""
