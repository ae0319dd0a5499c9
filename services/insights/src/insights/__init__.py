"""Goals, check-ins and program health, learnt only from the platform's Kafka events."""
