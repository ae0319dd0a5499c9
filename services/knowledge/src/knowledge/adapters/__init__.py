"""MongoDB, Kafka and other I/O behind the application's ports."""
