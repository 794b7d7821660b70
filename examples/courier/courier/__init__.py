"""Kirim Cepat, a courier: an example service built only with `sandbox.extend`."""
