"""The fault and load kit: a private infrastructure instance, service processes that can be
killed, a load generator driving registered user flows, a fault schedule, and a checker
that judges the outcome from what clients were told and what the platform holds."""
