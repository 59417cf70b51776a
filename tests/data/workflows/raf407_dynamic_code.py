import importlib

from radical.asyncflow import LocalExecutionBackend, WorkflowEngine

flow = WorkflowEngine(backend=LocalExecutionBackend())

stages = importlib.import_module("stages")  # RAF407
exec("simulate(1)")  # RAF407
