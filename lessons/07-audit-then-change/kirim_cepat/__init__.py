"""Kirim Cepat, a courier: the one lesson 7 adds, built only with `sandbox.extend`.

A copy of `examples/courier/courier` kept inside the lesson's folder, because a lesson runs
Python only from its own folder (or installed plugins): a lesson can then be shared, and
shipped in the wheel, as one self-contained folder.
"""
