"""The products users open: the blended daily CF/ACDD file and the season file of many days."""
