"""The workflow graph every part of radical.asyncflow speaks."""

from .build import RawNode, assign_ids, finalize
from .graph import critical_path, to_networkx, topological_order
from .json import diagnostics_to_json, dumps, workflow_to_json
from .model import (
    NODE_KINDS,
    SCHEMA,
    SEVERITIES,
    BackendDecl,
    Diagnostic,
    Node,
    PilotDecl,
    Related,
    Span,
    Workflow,
)

__all__ = [
    "NODE_KINDS",
    "SCHEMA",
    "SEVERITIES",
    "BackendDecl",
    "Diagnostic",
    "Node",
    "PilotDecl",
    "RawNode",
    "Related",
    "Span",
    "Workflow",
    "assign_ids",
    "critical_path",
    "diagnostics_to_json",
    "dumps",
    "finalize",
    "to_networkx",
    "topological_order",
    "workflow_to_json",
]
