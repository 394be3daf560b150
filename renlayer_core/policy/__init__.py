"""Policies (SPEC §4): parse → validate → compile (decision table) → evaluate / explain.

Pure: importing this package does no I/O; RE2 and YAML load on first use.
"""

from __future__ import annotations

from renlayer_core.policy.compiler import DecisionTable, compile_policies
from renlayer_core.policy.decision import Decision, Diagnostic, MonitorHit
from renlayer_core.policy.digest import action_digest, approval_digest, approval_digest_from
from renlayer_core.policy.evaluator import CandidateTrace, Explanation, evaluate, explain
from renlayer_core.policy.loader import parse_policy, parse_policy_file, parse_policy_set
from renlayer_core.policy.model import Match, Policy, PolicySet, When
from renlayer_core.policy.naive import evaluate_naive
from renlayer_core.policy.request import ActionRequest, parse_request

__all__ = [
    "ActionRequest",
    "CandidateTrace",
    "Decision",
    "DecisionTable",
    "Diagnostic",
    "Explanation",
    "Match",
    "MonitorHit",
    "Policy",
    "PolicySet",
    "When",
    "action_digest",
    "approval_digest",
    "approval_digest_from",
    "compile_policies",
    "evaluate",
    "evaluate_naive",
    "explain",
    "parse_policy",
    "parse_policy_file",
    "parse_policy_set",
    "parse_request",
]
