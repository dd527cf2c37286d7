"""The ckanext-harvest harvester that publishes aggregated smart meter days."""
