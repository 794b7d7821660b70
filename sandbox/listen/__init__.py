"""`sandbox listen`: a developer's client hears the webhooks meant for it, on this machine."""
