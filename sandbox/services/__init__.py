"""The fake institutions, one package each. They import only `sandbox.wire`, never each other."""
