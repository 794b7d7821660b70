"""Commands for a developer prototyping against the running sandbox: `sandbox listen` (a
client's webhooks on a local URL) and `sandbox force` (states that are rare on purpose)."""
