"""Where a visit happens: postcodes, the address gazetteer, community areas."""
