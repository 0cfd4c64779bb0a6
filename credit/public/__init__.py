"""Public disclosure (issue 20): what the law publishes, published. The records in their
publication period, anonymous, under /public (JSON, GraphQL, pages), with their own cache,
rate limit and audit log; the daily extract files (export.py); a supplier's own report
(supplier.py, behind the authenticated gate)."""
