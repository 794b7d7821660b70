"""The teacher's board (`sandbox class`): a class's spans received on one machine.

Each student's `sandbox up --otlp-endpoint URL --student NAME` streams its calls and lesson
verdicts as OTLP spans; `receiver` takes them over OTLP/HTTP (JSON or protobuf), `spans` turns
them back into recorded calls and verdicts, and `roster` keeps, per student, where they are
and their latest traces for the board (`sandbox.tui.board`) to show. Past one room the same
spans go to an OpenTelemetry collector and Jaeger instead; nothing here replaces those.
"""
