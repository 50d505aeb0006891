"""Cases: the survivor-centred file shared by the agencies."""
