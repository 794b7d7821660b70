"""The UI's screens: each composes widgets and routes messages; none holds business logic."""
