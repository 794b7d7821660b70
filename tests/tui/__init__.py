"""Tests of the Textual UI: Pilot tests on state and messages, snapshots for layout."""
