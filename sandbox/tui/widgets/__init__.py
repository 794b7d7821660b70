"""Widgets that display what they are given and post messages up; no HTTP, no runtime."""
