"""The appointment record as everyone reads it: its reference, the look-ups by reference, how it is
described (UK time, plain English), and the signed links residents follow."""
