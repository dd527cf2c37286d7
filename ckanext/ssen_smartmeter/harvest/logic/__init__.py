"""Action and auth functions of the smart meter harvester."""
