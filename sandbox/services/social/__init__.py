"""Placeholder: replaced by the real social service."""

from fastapi import FastAPI

from sandbox.wire.app import new_app
from sandbox.wire.service import ServiceEnv


def create_app(env: ServiceEnv) -> FastAPI:
    """Build the app."""
    return new_app(env, "social", "placeholder")
