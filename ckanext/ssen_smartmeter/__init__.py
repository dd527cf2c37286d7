"""Smart meter datasets for CKAN: schema, aggregation pipeline and harvester."""
