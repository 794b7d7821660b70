"""The fake institutions, one package each.

They import only the layers below (`sandbox.dialects`, `sandbox.framework`, `sandbox.wire`),
never each other.
"""
