"""The audit: rules kept as data (TOML rule sets a teacher can read), checked over recorded calls.

`sandbox audit` loads every rule set in `rulesets/`, runs the Python check behind each rule kind
over the recorded calls and the service registry, and reports a verdict per rule with the calls
that broke it. A passed audit can be recorded; a service added afterwards is flagged until the
audit is run and recorded again.
"""

from sandbox.audit.engine import AuditReport, RuleResult, run_audit
from sandbox.audit.history import default_record, last_record, save_record
from sandbox.audit.records import AuditRecord
from sandbox.audit.rules import Rule, RuleSet, load_rulesets

__all__ = [
    "AuditRecord",
    "AuditReport",
    "Rule",
    "RuleResult",
    "RuleSet",
    "default_record",
    "last_record",
    "load_rulesets",
    "run_audit",
    "save_record",
]
