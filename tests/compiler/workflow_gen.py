"""Random workflow modules for property tests, with the edges they must produce.

A spec is a list of steps; each step calls a function task, an executable
task, a block, or a loop of function tasks, depending on earlier steps through
one argument form (positional, keyword, list, dict, tuple, or a value obtained
with ``.result()`` / ``await``).  :func:`render` writes the module and records
the line of each call, so the expected node ids and edges are known exactly.
"""

from __future__ import annotations

import dataclasses

from hypothesis import strategies as st

FORMS = ("pos", "kw", "list", "dict", "tuple", "result")


@dataclasses.dataclass
class Step:
    kind: str  # step | run | blk | loop
    deps: list[int]
    form: str
    count: int = 1


@dataclasses.dataclass
class WorkflowSpec:
    style: str
    steps: list[Step]
    lines: dict[int, int] = dataclasses.field(default_factory=dict)
    block_lines: tuple[int, int] = (0, 0)

    def ids(self, i: int) -> list[str]:
        step, line = self.steps[i], self.lines[i]
        name = {"step": "step", "run": "run", "blk": "blk", "loop": "step"}[step.kind]
        if step.kind == "loop" and step.count > 1:
            return [f"{name}@{line}[{k}]" for k in range(step.count)]
        return [f"{name}@{line}"]

    def expected_edges(self, _: object = None) -> set[tuple[str, str]]:
        edges = set()
        first, second = self.block_lines
        for i, step in enumerate(self.steps):
            sources = [src for d in step.deps for src in self.ids(d)]
            for target in self.ids(i):
                edges.update((s, target) for s in sources)
                if step.kind == "blk":
                    inner_a, inner_b = f"{target}/step@{first}", f"{target}/step@{second}"
                    edges.update((s, inner_a) for s in sources)
                    edges.add((inner_a, inner_b))
        return edges


@st.composite
def workflows(draw: st.DrawFn) -> WorkflowSpec:
    style = draw(st.sampled_from(["sync", "async"]))
    steps: list[Step] = []
    for i in range(draw(st.integers(1, 10))):
        kind = draw(st.sampled_from(["step", "run", "blk", "loop"]))
        deps = sorted(set(draw(st.lists(st.integers(0, i - 1), max_size=3)))) if i else []
        form = draw(st.sampled_from(FORMS))
        if form == "result":
            deps = deps[:1]
        count = draw(st.integers(1, 3)) if kind == "loop" else 1
        steps.append(Step(kind, deps, form, count))
    return WorkflowSpec(style, steps)


def _arg(spec: WorkflowSpec, step: Step, index: int) -> tuple[list[str], str]:
    """(lines to emit before the call, argument text)."""
    names = [f"t{d}" for d in step.deps]
    spread = [f"*{n}" if spec.steps[d].kind == "loop" else n for n, d in zip(names, step.deps)]
    if step.form == "result" and names:
        get = f"await t{step.deps[0]}" if spec.style == "async" else f"t{step.deps[0]}.result()"
        if spec.steps[step.deps[0]].kind == "loop":
            get = (f"await asyncio.gather(*t{step.deps[0]})" if spec.style == "async"
                   else f"[f.result() for f in t{step.deps[0]}]")
        return [f"r{index} = {get}"], f"r{index}"
    joined = ", ".join(spread)
    return [], {"pos": joined, "kw": f"data=[{joined}]", "list": f"[{joined}]",
                "dict": "{" + ", ".join(f"'k{j}': [{s}]" for j, s in enumerate(spread)) + "}",
                "tuple": f"({joined}{',' if len(spread) == 1 else ''})",
                "result": joined}[step.form]


def render(spec: WorkflowSpec) -> str:
    out = ["import asyncio", "", "from radical.asyncflow import LocalExecutionBackend, "
           "WorkflowEngine", ""]
    pad = "    " if spec.style == "async" else ""
    if spec.style == "async":
        out += ["", "async def main():",
                "    flow = await WorkflowEngine.create(backend=LocalExecutionBackend())"]
    else:
        out += ["flow = WorkflowEngine(backend=LocalExecutionBackend())"]
    aw = "async " if spec.style == "async" else ""
    defs = ["@flow.function_task", f"{aw}def step(*args, **kwargs):", "    return 1", "",
            "@flow.executable_task", f"{aw}def run(*args, **kwargs):", "    return 'true'", "",
            "@flow.block", f"{aw}def blk(x, n):", "    a = step(x)", "    b = step(a, n)"]
    defs += ["    await b", ""] if spec.style == "async" else ["    b.result()", ""]
    for line in defs:
        out.append(pad + line if line else "")
    spec.block_lines = (len(out) - 3, len(out) - 2)
    blocks = []
    for i, step in enumerate(spec.steps):
        before, arg = _arg(spec, step, i)
        out += [pad + line for line in before]
        if step.kind == "loop":
            call = f"t{i} = [step(k, {arg}) for k in range({step.count})]" if arg else \
                f"t{i} = [step(k) for k in range({step.count})]"
        elif step.kind == "blk":
            x = {"pos": f"[{arg}]", "kw": arg.replace("data=", "")}.get(step.form, arg)
            call = f"t{i} = blk(n={i}, x={x or 0})"
            blocks.append(f"t{i}")
        else:
            call = f"t{i} = {step.kind}({arg})"
        out.append(pad + call)
        spec.lines[i] = len(out)
    if spec.style == "async":
        out += [f"    await asyncio.gather({', '.join(blocks)})" if blocks else "",
                "    await flow.shutdown()", "", "", "asyncio.run(main())"]
    else:
        out += [f"{b}.result()" for b in blocks] + ["flow.shutdown()"]
    return "\n".join(out) + "\n"
