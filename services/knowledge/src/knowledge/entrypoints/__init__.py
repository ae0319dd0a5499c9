"""HTTP routes (api.py) and Kafka consumers (consumers.py): thin, parse and delegate."""
