"""Running the institutions: the registry of services, seeding, the supervisor and control API."""
