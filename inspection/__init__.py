"""The KT1 inspection domain: checklists, campaigns, inspections, findings, audit; no Flask."""
