#!/usr/bin/env python3
"""A real MCP client (the official MCP Python SDK) against lockgate's MCP server.

Driven by tests/cli/mcp.rs; runnable by hand too:

    client.py flow --transport stdio --lockgate target/debug/lockgate --project DIR --sync-dir DIR
    client.py flow --transport http --url http://127.0.0.1:PORT/mcp --token TOKEN --lockgate ... --project DIR --sync-dir DIR
    client.py conformance --transport stdio|http ...
    client.py probe --transport http --url ... --token ... [--try-approve GATE]

Every subcommand prints one JSON summary on stdout and exits 0 when every
check held, 1 (with the failed check on stderr and in the summary's
`error`) when one did not, 2 on bad usage.

`flow` is an agent's whole working session. Half way through it asks a human
for an approval: it writes SYNC_DIR/approval-requested.json and waits (in the
same MCP session) for SYNC_DIR/approved, which the test writes once a
release manager has approved through the CLI.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import subprocess
import sys
import threading
import time
import traceback
import urllib.error
import urllib.request
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import jsonschema
from jsonschema import Draft202012Validator

import mcp
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.client.stdio import get_default_environment
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.exceptions import MCPError

# The tools every agent sees (approve only when granted).
EXPECTED_TOOLS = {
    "project_status",
    "validate_config",
    "init_config",
    "explain_rule",
    "run_pipeline",
    "run_status",
    "run_logs",
    "scan",
    "compliance_report",
    "gate_status",
    "request_approval",
    "deploy",
    "rollout_status",
    "promote",
    "promote_environment",
    "abort",
    "rollback",
    "audit_query",
    "audit_verify",
}
# Tools that change an environment must be told which one.
DESTRUCTIVE = ("deploy", "promote", "abort", "rollback")
RESOURCES = ("lockgate://config", "lockgate://audit/checkpoint")
TEMPLATES = ("lockgate://gates/{gate}", "lockgate://runs/{id}/log")
PROMPTS = ("devops-handover", "production-readiness-review")

CALL_TIMEOUT = 90.0


class Failure(Exception):
    """A check that did not hold."""


def check(cond: Any, what: str, detail: Any = None) -> None:
    if not cond:
        msg = what
        if detail is not None:
            d = detail if isinstance(detail, str) else json.dumps(detail, default=str, indent=1)
            msg += f"\n--- detail ---\n{d[:6000]}"
        raise Failure(msg)


def dump(model: Any) -> Any:
    """An SDK model as the JSON the server sent (camelCase)."""
    return model.model_dump(by_alias=True, mode="json", exclude_none=True)


def text_of(result: Any) -> str:
    return "\n".join(getattr(c, "text", "") for c in result.content if getattr(c, "type", "") == "text")


class Report:
    def __init__(self, command: str, transport: str) -> None:
        self.data: dict[str, Any] = {"command": command, "transport": transport, "checks": [], "notes": []}
        self.stream_errors: list[str] = []

    def ok(self, name: str, **info: Any) -> None:
        entry = {"check": name}
        entry.update(info)
        self.data["checks"].append(entry)
        print(f"ok: {name}", file=sys.stderr, flush=True)

    def expect(self, cond: Any, what: str, detail: Any = None) -> bool:
        """A check whose failure does not stop the run: recorded, and the
        run fails at the end (so one contract slip does not hide the rest)."""
        if cond:
            return True
        try:
            check(cond, what, detail)
        except Failure as f:
            self.data.setdefault("failures", []).append(str(f))
            print(f"FAILED (going on): {f}", file=sys.stderr, flush=True)
        return False

    def note(self, text: str) -> None:
        self.data["notes"].append(text)
        print(f"note: {text}", file=sys.stderr, flush=True)


# --- connecting -------------------------------------------------------------


def stdio_params(args: argparse.Namespace) -> StdioServerParameters:
    """`lockgate mcp` as agent:claude, or (with --token) as the token's identity."""
    project = Path(args.project).resolve()
    env = {"NO_COLOR": "1", "TZ": "UTC", "RUST_BACKTRACE": "0"}
    argv = ["-f", str(project / "lockgate.yaml"), "mcp"]
    if args.token:
        env["LOCKGATE_TOKEN"] = args.token
    else:
        argv += ["--agent", "claude"]
    return StdioServerParameters(command=args.lockgate, args=argv, cwd=str(project), env=env)


@asynccontextmanager
async def connect(args: argparse.Namespace, report: Report, token: str | None = None):
    """An initialized ClientSession over the chosen transport."""

    async def on_message(message: Any) -> None:
        # Transport faults (e.g. a line on the server's stdout that is not
        # JSON-RPC) arrive here as exceptions.
        if isinstance(message, Exception):
            report.stream_errors.append(f"{type(message).__name__}: {message}")

    if args.transport == "stdio":
        with open(args.server_log or os.devnull, "a") as errlog:
            async with stdio_client(stdio_params(args), errlog=errlog) as (read, write):
                async with ClientSession(
                    read, write, read_timeout_seconds=CALL_TIMEOUT, message_handler=on_message
                ) as session:
                    init = await session.initialize()
                    yield session, init
    else:
        headers = {"Authorization": f"Bearer {token or args.token}"}
        async with create_mcp_http_client(headers=headers) as http:
            async with streamable_http_client(args.url, http_client=http) as (read, write):
                async with ClientSession(
                    read, write, read_timeout_seconds=CALL_TIMEOUT, message_handler=on_message
                ) as session:
                    init = await session.initialize()
                    yield session, init


class Agent:
    """Tool calls with the checks every call gets."""

    def __init__(self, session: ClientSession, report: Report) -> None:
        self.session = session
        self.report = report
        self.schemas: dict[str, dict[str, Any]] = {}
        self.last_text = ""

    async def raw(self, name: str, arguments: dict[str, Any] | None) -> Any:
        return await self.session.call_tool(name, arguments, read_timeout_seconds=CALL_TIMEOUT)

    async def call(self, name: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        """A call that must succeed; returns its structured content."""
        arguments = {} if arguments is None else arguments
        if name in self.schemas:
            try:
                Draft202012Validator(self.schemas[name]).validate(arguments)
            except jsonschema.ValidationError as e:
                raise Failure(f"test bug or schema bug: our arguments to {name} do not match its inputSchema: {e.message}")
        try:
            result = await self.raw(name, arguments)
        except MCPError as e:
            raise Failure(f"{name}({json.dumps(arguments)}) failed with a JSON-RPC error {e.code}: {e.message}")
        check(
            not result.is_error,
            f"{name}({json.dumps(arguments)}) returned isError: {text_of(result)}",
        )
        check(result.content, f"{name}: the result has no content blocks", dump(result))
        check(text_of(result).strip(), f"{name}: the result has no text content", dump(result))
        self.last_text = text_of(result)
        check(
            isinstance(result.structured_content, dict),
            f"{name}: the result has no structuredContent object",
            dump(result),
        )
        return result.structured_content

    async def error(self, name: str, arguments: dict[str, Any] | None, *, protocol_ok: bool = False) -> str:
        """A call that must fail cleanly: an isError result (or, when
        `protocol_ok`, a JSON-RPC error). Returns the message."""
        try:
            result = await self.raw(name, arguments)
        except MCPError as e:
            check(
                protocol_ok,
                f"{name}({json.dumps(arguments)[:200]}) was answered with a JSON-RPC error {e.code} "
                f"({e.message}); the contract wants a tool result with isError=true",
            )
            return f"jsonrpc {e.code}: {e.message}"
        check(
            result.is_error,
            f"{name}({json.dumps(arguments)[:200]}) should have failed but succeeded",
            dump(result),
        )
        msg = text_of(result)
        check(msg.strip(), f"{name}: the error result carries no message", dump(result))
        return msg


async def wait_for(what: str, probe, timeout: float = 120.0, every: float = 0.5):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        done, last = await probe()
        if done:
            return last
        await anyio.sleep(every)
    raise Failure(f"timed out after {timeout:.0f}s waiting for {what}; last seen: {json.dumps(last, default=str)[:3000]}")


# --- checks shared by the subcommands --------------------------------------------------


def check_initialize(init: Any, report: Report) -> None:
    caps = init.capabilities
    check(init.server_info and init.server_info.name, "initialize: no serverInfo.name", dump(init))
    check(caps.tools is not None, "initialize: the server does not declare the tools capability", dump(init))
    check(caps.resources is not None, "initialize: no resources capability", dump(init))
    check(caps.prompts is not None, "initialize: no prompts capability", dump(init))
    report.ok(
        "initialize",
        protocol=init.protocol_version,
        server=dump(init.server_info),
        instructions=bool(init.instructions),
    )
    report.data["protocol_version"] = init.protocol_version


async def list_and_check_tools(agent: Agent, report: Report, *, expect: set[str] | None = EXPECTED_TOOLS) -> dict:
    listed = await agent.session.list_tools()
    tools = {t.name: t for t in listed.tools}
    check(len(tools) == len(listed.tools), "tools/list names a tool twice", [t.name for t in listed.tools])
    dialects = set()
    for name, t in tools.items():
        schema = t.input_schema
        check(isinstance(schema, dict) and schema.get("type") == "object", f"tool {name}: inputSchema root is not type object", schema)
        try:
            Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError as e:
            raise Failure(f"tool {name}: inputSchema is not a valid JSON Schema (2020-12 meta-schema): {e.message}\n{json.dumps(schema, indent=1)}")
        dialects.add(schema.get("$schema", "(default 2020-12)"))
        if t.output_schema is not None:
            try:
                Draft202012Validator.check_schema(t.output_schema)
            except jsonschema.SchemaError as e:
                raise Failure(f"tool {name}: outputSchema is not a valid JSON Schema: {e.message}")
        check(t.description and t.description.strip(), f"tool {name} has no description")
        agent.schemas[name] = schema
    if expect is not None:
        missing = expect - set(tools)
        check(not missing, f"tools/list lacks {sorted(missing)}", sorted(tools))
    for name in DESTRUCTIVE:
        if name in tools:
            req = tools[name].input_schema.get("required", [])
            check("environment" in req, f"tool {name}: `environment` is not required in its inputSchema", tools[name].input_schema)
    report.data["tools"] = sorted(tools)
    report.data["schema_dialects"] = sorted(dialects)
    report.ok("tools/list: every inputSchema valid", count=len(tools))
    return tools


def lockgate_json(args: argparse.Namespace, *argv: str) -> Any:
    out = subprocess.run(
        [args.lockgate, *argv],
        cwd=args.project,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )
    check(out.returncode == 0, f"lockgate {' '.join(argv)} exited {out.returncode}", out.stderr)
    return json.loads(out.stdout)


# --- flow ---------------------------------------------------------------------------


async def flow(args: argparse.Namespace, report: Report) -> None:
    project = Path(args.project).resolve()
    sync = Path(args.sync_dir)
    yaml_before = (project / "lockgate.yaml").read_bytes()
    rule = lockgate_json(args, "rules", "list", "--json")[0]["id"]

    async with connect(args, report) as (session, init):
        check_initialize(init, report)
        agent = Agent(session, report)
        tools = await list_and_check_tools(agent, report)
        check("approve" not in tools, "an operator agent is offered the approve tool", sorted(tools))
        report.ok("no approve tool for a plain agent")

        # Reading the project.
        st = await agent.call("project_status")
        for key in ("project", "environments", "services", "units", "gates", "recent_failures"):
            check(key in st, f"project_status: no `{key}`", st)
        check(json.dumps(st["project"]).find("shop") >= 0, "project_status: the project is not `shop`", st["project"])
        gates = {g.get("gate"): g for g in st["gates"]}
        check("release" in gates, "project_status: gate `release` missing", st["gates"])
        for g in st["gates"]:
            check({"gate", "status", "question"} <= set(g), "project_status: a gate lacks gate/status/question", g)
        report.ok("project_status", gates={k: v.get("status") for k, v in gates.items()})

        v = await agent.call("validate_config")
        check(v.get("valid") is True, "validate_config: the test project is not valid", v)
        report.expect(isinstance(v.get("diagnostics"), list), "validate_config: no `diagnostics` list (the contract: {valid, diagnostics: [...]})", v)
        report.ok("validate_config")

        init_cfg = await agent.call("init_config", {})
        check(Path(str(init_cfg.get("file"))).name == "lockgate.yaml", "init_config: file is not a lockgate.yaml", init_cfg)
        check(isinstance(init_cfg.get("content"), str) and init_cfg["content"].strip(), "init_config: no content", init_cfg)
        check(isinstance(init_cfg.get("would_write"), bool), "init_config: would_write is not a bool", init_cfg)
        check(init_cfg["would_write"] is False, "init_config: would_write is true although lockgate.yaml exists", init_cfg)
        check((project / "lockgate.yaml").read_bytes() == yaml_before, "init_config is a dry run but lockgate.yaml changed")
        report.ok("init_config (dry run, nothing written)", would_write=init_cfg["would_write"])

        ex = await agent.call("explain_rule", {"rule": rule})
        check(rule in json.dumps(ex), f"explain_rule: {rule} is not in its own explanation", ex)
        msg = await agent.error("explain_rule", {"rule": "LG-NOPE-999"})
        report.ok("explain_rule", rule=rule, unknown_rule_error=msg[:200])

        # The pipeline.
        started = await agent.call("run_pipeline", {"jobs": ["test"]})
        run = started.get("run")
        check(isinstance(run, int) and not isinstance(run, bool), "run_pipeline: `run` is not an integer", started)

        async def run_done():
            r = await agent.call("run_status", {"run": run})
            status = r.get("status")
            return status not in (None, "unfinished", "running", "queued", "pending"), r

        final = await wait_for(f"run {run} to finish", run_done, every=1.0)
        check(final.get("status") == "succeeded", f"run {run} did not succeed", final)
        latest = await agent.call("run_status", {})
        check(json.dumps(latest).find(str(run)) >= 0, "run_status without `run` is not the latest run", latest)
        logs = await agent.call("run_logs", {"run": run, "job": "test"})
        check(isinstance(logs.get("log"), str), "run_logs: no log text", logs)
        check(isinstance(logs.get("lines"), int), "run_logs: `lines` is not an integer", logs)
        tail = await agent.call("run_logs", {"run": run, "job": "test", "tail": 1})
        check(len(tail["log"].rstrip("\n").splitlines()) <= 1, "run_logs tail=1 returned more than one line", tail)
        msg = await agent.error("run_logs", {"run": run, "job": "no-such-job"})
        report.ok("run_pipeline/run_status/run_logs", run=run, lines=logs["lines"], unknown_job_error=msg[:200])
        report.data["run"] = run

        # Security and compliance.
        sc = await agent.call("scan", {})
        check("summary" in sc and isinstance(sc.get("top"), list), "scan: no summary/top", sc)
        sc2 = await agent.call("scan", {"frameworks": ["soc2"]})
        check("summary" in sc2, "scan with frameworks: no summary", sc2)
        comp = await agent.call("compliance_report", {"framework": "soc2"})
        check("soc2" in json.dumps(comp).lower().replace(" ", "").replace("-", ""), "compliance_report: does not name soc2", comp)
        msg = await agent.error("compliance_report", {"framework": "no-such-framework"})
        report.ok("scan/compliance_report", unknown_framework_error=msg[:200])

        # The gate: waiting for a human.
        gs = await agent.call("gate_status", {"gate": "release"})
        for key in ("gate", "status", "items", "question", "suggestions", "ask_human"):
            check(key in gs, f"gate_status: no `{key}`", gs)
        check(gs["status"] == "waiting", "gate_status: release is not waiting", gs)
        check(gs["ask_human"], "gate_status: ask_human is empty while only a human can open the gate", gs)
        asked = await agent.call(
            "request_approval", {"gate": "release", "message": "Tests pass; please review v1 for production."}
        )
        check(isinstance(asked.get("event"), int), "request_approval: `event` is not an integer", asked)
        check(isinstance(asked.get("notified"), list), "request_approval: `notified` is not a list", asked)
        report.ok("gate_status waiting + request_approval", ask_human=gs["ask_human"], notified=asked["notified"])

        # Staging needs no approval.
        await agent.call("deploy", {"service": "web", "environment": "staging", "version": "v1"})
        await rollout_completed(agent, "staging", "v1")
        report.ok("deploy web to staging, rollout completed")
        # The change has reached staging: production is promoted from it.
        promoted = await agent.call("promote_environment", {"environment": "staging"})
        check(promoted.get("environment") == "staging", "promote_environment: not promoted to staging", promoted)
        report.ok("promote the change to staging", event=promoted.get("event"))

        # Production is guarded: refused until the human approves.
        msg = await agent.error("deploy", {"service": "web", "environment": "production", "version": "v1"})
        report.ok("deploy to production refused before approval", error=msg[:300])

        # Hand over to the human (the test approves through the CLI).
        (sync / "approval-requested.json").write_text(json.dumps({"event": asked["event"], "run": run}))
        await wait_for("the human's approval (SYNC_DIR/approved)", _file_exists(sync / "approved"), timeout=240, every=0.2)
        gs = await agent.call("gate_status", {"gate": "release"})
        check(gs["status"] != "waiting", "gate_status: release still waiting after the approval", gs)
        report.ok("gate open after the human approved", status=gs["status"])

        await agent.call("deploy", {"service": "web", "environment": "production", "version": "v1"})
        prod = await rollout_completed(agent, "production", "v1")
        report.ok("deploy web to production, rollout completed", rollout=prod.get("phase"))

        # A second version to staging, then roll it back.
        await agent.call("deploy", {"service": "web", "environment": "staging", "version": "v2"})
        await rollout_completed(agent, "staging", "v2")
        await agent.call("rollback", {"service": "web", "environment": "staging"})
        back = await rollout_completed(agent, "staging", "v1")
        report.ok("deploy v2 to staging, rollback to v1", rollout=back.get("phase"))

        # Abort a rollout under way (a canary from v1 takes seconds), then
        # promote one straight to 100%.
        await agent.call("deploy", {"service": "web", "environment": "staging", "version": "v3"})
        ab = await agent.call("abort", {"service": "web", "environment": "staging"})
        check(find_key(ab, "phase") == "aborted", "abort: the rollout is not aborted", ab)
        st = await agent.call("rollout_status", {"service": "web", "environment": "staging"})
        check(find_key(st, "phase") == "aborted", "rollout_status after abort: not aborted", st)
        check("agent:claude" in json.dumps(st), "rollout_status after abort: does not say who aborted", st)
        await agent.call("deploy", {"service": "web", "environment": "staging", "version": "v4"})
        await agent.call("promote", {"service": "web", "environment": "staging", "full": True})
        await rollout_completed(agent, "staging", "v4")
        msg = await agent.error("promote", {"service": "web", "environment": "staging"})
        report.ok("abort a rollout under way; promote one fully", promote_nothing=msg[:200])

        # The audit trail.
        au = await agent.call("audit_query", {"actor": "agent:claude", "limit": 500})
        items = au.get("items")
        check(isinstance(items, list) and items, "audit_query: no items for agent:claude", au)
        check("next" in au, "audit_query: no `next`", au)
        kinds = [e.get("kind") for e in items]
        check("mcp.tool_called" in kinds, "audit_query: no mcp.tool_called events for the agent", kinds)
        check(all(e.get("actor") == "agent:claude" for e in items), "audit_query actor filter leaks other actors", items[:5])
        check(any(k and k.startswith("rollout.") for k in kinds), "audit_query: the agent's rollouts are not recorded as its own", sorted(set(kinds)))
        check("gate.approval_requested" in kinds, "audit_query: no gate.approval_requested by the agent", sorted(set(kinds)))
        tool_names = json.dumps([e for e in items if e.get("kind") == "mcp.tool_called"])
        for t in ("project_status", "run_pipeline", "deploy", "request_approval"):
            check(t in tool_names, f"audit_query: no mcp.tool_called event names the tool {t}")
        page = await agent.call("audit_query", {"kind": "mcp.tool_called", "limit": 2})
        check(len(page["items"]) <= 2, "audit_query limit=2 returned more", page)
        check(page.get("next") is not None, "audit_query: a full page of a longer list has no `next`", page)
        report.ok("audit_query", events=len(items), kinds=sorted(set(kinds)))

        ver = await agent.call("audit_verify", {})
        check(ver.get("ok") is True, "audit_verify: the ledger does not verify", ver)
        check(isinstance(ver.get("events"), int) and ver["events"] > 0, "audit_verify: no event count", ver)
        report.ok("audit_verify", events=ver["events"], verified_up_to=ver.get("verified_up_to"))

        # Resources.
        res = await session.list_resources()
        uris = {str(r.uri) for r in res.resources}
        for u in RESOURCES:
            check(u in uris, f"resources/list lacks {u}", sorted(uris))
        tpl = await session.list_resource_templates()
        templates = {t.uri_template for t in tpl.resource_templates}
        for u in TEMPLATES:
            check(u in templates, f"resources/templates/list lacks {u}", sorted(templates))
        cfg = await read_text(session, "lockgate://config")
        check("project: shop" in cfg, "lockgate://config is not the project's lockgate.yaml", cfg[:500])
        gate = await read_text(session, "lockgate://gates/release")
        check("release" in gate, "lockgate://gates/release does not describe the gate", gate[:500])
        cp = await read_text(session, "lockgate://audit/checkpoint")
        check(cp.strip(), "lockgate://audit/checkpoint is empty")
        log = await read_text(session, f"lockgate://runs/{run}/log")
        check(isinstance(log, str), "run log resource unreadable")
        try:
            await session.read_resource("lockgate://gates/no-such-gate")
            raise Failure("reading lockgate://gates/no-such-gate succeeded")
        except MCPError as e:
            missing_gate = f"{e.code}: {e.message}"
        report.ok("resources", resources=sorted(uris), templates=sorted(templates), missing_gate=missing_gate)

        # Prompts.
        pr = await session.list_prompts()
        prompts = {p.name: p for p in pr.prompts}
        for name in PROMPTS:
            check(name in prompts, f"prompts/list lacks {name}", sorted(prompts))
            fill = {"environment": "production", "service": "web", "gate": "release"}
            pargs = {a.name: fill.get(a.name, "web") for a in (prompts[name].arguments or []) if a.required}
            got = await session.get_prompt(name, pargs or None)
            check(got.messages, f"prompt {name}: no messages", dump(got))
            body = json.dumps(dump(got))
            check(len(body) > 100, f"prompt {name}: suspiciously empty", dump(got))
        report.ok("prompts", prompts=sorted(prompts))

        check(not report.stream_errors, "the transport saw malformed messages from the server", report.stream_errors)


def _file_exists(p: Path):
    async def probe():
        return p.exists(), str(p)

    return probe


async def rollout_completed(agent: Agent, env: str, version: str) -> dict:
    async def probe():
        r = await agent.call("rollout_status", {"service": "web", "environment": env})
        text = json.dumps(r)
        phase = find_key(r, "phase")
        if phase in ("aborted", "failed", "paused", "rolled_back"):
            raise Failure(f"the rollout of web to {env} ended {phase}: {text[:3000]}")
        return phase == "completed" and find_key(r, "stable") == version, r

    r = await wait_for(f"web {version} to complete in {env} (and serve as stable)", probe, timeout=120, every=1.0)
    agent.report.expect(
        version in agent.last_text and " of ?" not in agent.last_text,
        f"rollout_status: the text for the model does not name the version serving in {env} ({version})",
        agent.last_text,
    )
    return r


def find_key(value: Any, key: str) -> Any:
    """The first value of `key` anywhere in `value` (breadth first)."""
    todo = [value]
    while todo:
        v = todo.pop(0)
        if isinstance(v, dict):
            if key in v:
                return v[key]
            todo.extend(v.values())
        elif isinstance(v, list):
            todo.extend(v)
    return None


async def read_text(session: ClientSession, uri: str) -> str:
    r = await session.read_resource(uri)
    check(r.contents, f"{uri}: no contents", dump(r))
    for c in r.contents:
        check(str(c.uri) == uri, f"{uri}: contents name another uri {c.uri}")
    return "\n".join(getattr(c, "text", "") for c in r.contents)


# --- conformance ---------------------------------------------------------------------------


async def conformance(args: argparse.Namespace, report: Report) -> None:
    if args.transport == "stdio":
        raw_stdio(args, report)
    else:
        raw_http(args, report)

    async with connect(args, report) as (session, init):
        check_initialize(init, report)
        agent = Agent(session, report)
        await list_and_check_tools(agent, report)

        # An unknown tool: an error, and the session carries on.
        try:
            r = await agent.raw("no_such_tool", {})
            check(r.is_error, "calling an unknown tool succeeded", dump(r))
            how = "isError result: " + text_of(r)[:200]
        except MCPError as e:
            how = f"JSON-RPC error {e.code}: {e.message}"
        await agent.call("project_status")
        report.ok("unknown tool is an error; the session still works", how=how)

        # No arguments at all for a tool that needs none.
        r = await agent.raw("project_status", None)
        check(not r.is_error, "project_status without `arguments` failed (it takes none)", text_of(r))
        report.ok("a tool without required arguments accepts a call with no `arguments`")

        # Wrong argument types are tool errors the model can read.
        msg = await agent.error("gate_status", {"gate": 5})
        check(not _schema_accepts(agent, "gate_status", {"gate": 5}), "gate_status's inputSchema accepts gate: 5")
        msg2 = await agent.error("run_status", {"run": "not-a-number"})
        msg3 = await agent.error("run_pipeline", {"jobs": "test"})
        report.ok("wrong argument types -> isError", gate_status=msg[:200], run_status=msg2[:200], run_pipeline=msg3[:200])

        # A missing required argument on a destructive tool names it.
        said = {}
        for tool in DESTRUCTIVE:
            msg = await agent.error(tool, {"service": "web"})
            check("environment" in msg.lower(), f"{tool} without environment: the error does not ask for `environment`", msg)
            said[tool] = msg[:300]
        report.ok("destructive tools without `environment` -> isError naming it", **said)

        # Unknown names are clean errors too.
        msg = await agent.error("gate_status", {"gate": "no-such-gate"})
        msg2 = await agent.error("rollout_status", {"service": "nosvc", "environment": "staging"})
        msg3 = await agent.error("abort", {"service": "web", "environment": "no-such-env"})
        report.ok("unknown gate/service/environment -> isError", gate=msg[:200], service=msg2[:200], env=msg3[:200])

        # An oversized argument: a clean error, and the server still answers.
        huge = "A" * (2 * 1024 * 1024)
        try:
            r = await agent.raw("explain_rule", {"rule": huge})
            check(r.is_error, "explain_rule with a 2 MB rule id succeeded", text_of(r)[:300])
            how = "isError result: " + text_of(r)[:200]
            check(len(text_of(r)) < 64 * 1024, "the error for a 2 MB argument echoes it back", len(text_of(r)))
        except MCPError as e:
            how = f"JSON-RPC error {e.code}: {e.message[:200]}"
        st = await agent.call("project_status")
        check("project" in st, "project_status after the oversized call", st)
        report.ok("2 MB argument -> clean error; the server still answers", how=how)

        # The agent's mistakes are on the audit trail too.
        au = await agent.call("audit_query", {"kind": "mcp.tool_called", "actor": "agent:claude", "limit": 500})
        seen = json.dumps(au["items"])
        check("gate_status" in seen and "abort" in seen, "failed tool calls are not recorded as mcp.tool_called", au["items"][-5:])
        check(len(seen) < 1024 * 1024, "the ledger copied the 2 MB argument verbatim", len(seen))
        report.ok("failed calls are audited (bounded)")

        # Secrets in arguments never reach the ledger.
        secret = "hunter2-do-not-log"
        try:
            await agent.raw("gate_status", {"gate": "release", "password": secret, "api_token": secret})
        except MCPError:
            pass
        au = await agent.call("audit_query", {"kind": "mcp.tool_called", "actor": "agent:claude", "limit": 500})
        check(secret not in json.dumps(au), "a secret passed as an argument is in the ledger unredacted", au["items"][-1:])
        check(
            any('"password"' in json.dumps(e) for e in au["items"]),
            "the call with secret-named arguments is not audited",
            au["items"][-3:],
        )
        report.ok("secret-named arguments are redacted in mcp.tool_called")

        # Flooding: rate limited per identity with a message, never a crash;
        # a new session of the same identity is still limited.
        limited = None
        for i in range(400):
            r = await agent.raw("validate_config", {})
            if r.is_error:
                limited = (i, text_of(r))
                break
        check(limited is not None, "400 calls in a row were never rate limited")
        check("rate" in limited[1].lower(), "the error after many calls does not say it is a rate limit", limited[1])
        report.ok("rate limited after a flood", calls=limited[0], message=limited[1][:200])

        check(not report.stream_errors, "the transport saw malformed messages from the server", report.stream_errors)

    if args.transport == "http":
        async with connect(args, report) as (session, init):
            agent = Agent(session, report)
            r = await agent.raw("validate_config", {})
            if report.expect(
                r.is_error and "rate" in text_of(r).lower(),
                "a new HTTP session of the same agent escapes the rate limit (it is per session, not per identity)",
                dump(r),
            ):
                report.ok("http: the rate limit is per identity, not per session")


def _schema_accepts(agent: Agent, tool: str, arguments: dict) -> bool:
    return Draft202012Validator(agent.schemas[tool]).is_valid(arguments)


class RawStdio:
    """The server process with hand-written JSON-RPC lines."""

    def __init__(self, args: argparse.Namespace) -> None:
        p = stdio_params(args)
        self.errlog = open(args.server_log or os.devnull, "ab")
        self.proc = subprocess.Popen(
            [p.command, *p.args],
            cwd=p.cwd,
            env=get_default_environment() | (p.env or {}),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errlog,
        )
        self.lines: queue.Queue[bytes | None] = queue.Queue()
        self.bad_lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def send(self, raw: bytes) -> None:
        self.proc.stdin.write(raw + b"\n")
        self.proc.stdin.flush()

    def send_json(self, msg: dict) -> None:
        self.send(json.dumps(msg).encode())

    def receive(self, timeout: float = 30.0) -> dict | None:
        """The next JSON message, or None at EOF / timeout."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                return None
            if line is None:
                return None
            try:
                return json.loads(line)
            except ValueError:
                self.bad_lines.append(line.decode(errors="replace")[:300])

    def answer_to(self, req_id: Any, timeout: float = 30.0) -> tuple[dict | None, list[dict]]:
        """The response with `req_id`, and whatever came before it."""
        others = []
        while True:
            m = self.receive(timeout)
            if m is None:
                return None, others
            if m.get("id") == req_id and ("result" in m or "error" in m):
                return m, others
            others.append(m)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> int | None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            return self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None
        finally:
            self.errlog.close()


def raw_stdio(args: argparse.Namespace, report: Report) -> None:
    s = RawStdio(args)
    try:
        s.send(b"{not json")
        s.send_json(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-06-18",
                    "capabilities": {},
                    "clientInfo": {"name": "raw", "version": "0"},
                },
            }
        )
        init, before = s.answer_to(1)
        check(s.alive(), "the stdio server died on a malformed line")
        check(init is not None, "no initialize response after a malformed line", before)
        check("result" in init, "initialize after a malformed line failed", init)
        check(init["result"].get("protocolVersion"), "initialize response without protocolVersion", init)
        parse_errors = [m for m in before if "error" in m]
        if parse_errors:
            check(
                parse_errors[0]["error"].get("code") == -32700 and parse_errors[0].get("id") is None,
                "the answer to a malformed line is not a parse error (-32700, id null)",
                parse_errors[0],
            )
        else:
            report.note("stdio: no JSON-RPC parse error (-32700) was sent for the malformed line (the server skipped it)")
        s.send_json({"jsonrpc": "2.0", "method": "notifications/initialized"})

        # JSON that is not JSON-RPC, then an unknown method, then real work.
        s.send(b'{"foo": 1}')
        s.send(b"[]")
        s.send_json({"jsonrpc": "2.0", "id": 2, "method": "no/such/method", "params": {}})
        m, _ = s.answer_to(2)
        check(m is not None and s.alive(), "no answer to an unknown method (or the server died)")
        check("error" in m and m["error"].get("code") == -32601, "an unknown method is not answered -32601", m)
        s.send_json({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": "not an object"})
        m, _ = s.answer_to(3, timeout=5)
        check(s.alive(), "the stdio server died on tools/call with non-object params")
        if m is None:
            report.note("stdio: no answer at all to tools/call with params \"not an object\" (JSON-RPC wants -32600/-32602 with id 3)")
        else:
            check("error" in m or m.get("result", {}).get("isError"), "tools/call with params: \"not an object\" succeeded", m)
        s.send_json({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "project_status", "arguments": {}}})
        m, _ = s.answer_to(4, timeout=CALL_TIMEOUT)
        check(m is not None and "result" in m, "project_status over raw stdio after the garbage failed", m)
        check(not m["result"].get("isError"), "project_status over raw stdio is an error", m)
        check(not s.bad_lines, "the server wrote non-JSON lines to stdout (stdout must carry only JSON-RPC)", s.bad_lines)
        report.ok(
            "stdio: malformed lines do not kill the session",
            parse_error=parse_errors[0] if parse_errors else None,
        )
    finally:
        code = s.close()
    check(code == 0, f"the stdio server did not exit 0 when its stdin closed (exit {code})")
    report.ok("stdio: exits 0 at end of input")


def http_post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str, str]:
    req = urllib.request.Request(url, data=body, method="POST")
    for k, v in headers.items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers.get("content-type", ""), r.read(65536).decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("content-type", ""), e.read(65536).decode(errors="replace")


def raw_http(args: argparse.Namespace, report: Report) -> None:
    base = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    init = json.dumps(
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}},
        }
    ).encode()
    status, _, body = http_post(args.url, init, base)
    check(status == 401, f"POST /mcp without a token answered {status}, not 401", body)
    status, _, body = http_post(args.url, init, {**base, "Authorization": "Bearer lg_not_a_real_token"})
    check(status == 401, f"POST /mcp with a bogus token answered {status}, not 401", body)
    auth = {**base, "Authorization": f"Bearer {args.token}"}
    status, _, body = http_post(args.url, b"{not json", auth)
    check(400 <= status < 500, f"POST /mcp with malformed JSON answered {status} (want 4xx)", body)
    status, ctype, body = http_post(args.url, init, auth)
    check(status == 200, f"a raw initialize answered {status}", body)
    report.ok("http: 401 without/with a bogus token, 4xx on malformed JSON")
    status, _, body = http_post(args.url, init, {**auth, "Origin": "http://evil.example"})
    if report.expect(
        status == 403,
        f"POST /mcp from a foreign Origin answered {status}; the MCP spec (transports, security warning) says "
        "servers MUST validate Origin and answer 403 to an invalid one (DNS rebinding)",
        body[:500],
    ):
        report.ok("http: 403 for a foreign Origin")


# --- probe ----------------------------------------------------------------------------


async def probe(args: argparse.Namespace, report: Report) -> None:
    async with connect(args, report) as (session, init):
        check_initialize(init, report)
        agent = Agent(session, report)
        tools = await list_and_check_tools(agent, report, expect=None)
        report.data["has_approve"] = "approve" in tools
        if args.try_approve:
            try:
                r = await agent.raw("approve", {"gate": args.try_approve, "comment": "lgtm"})
                report.data["approve"] = {"is_error": r.is_error, "text": text_of(r)[:500]}
            except MCPError as e:
                report.data["approve"] = {"jsonrpc_error": e.code, "text": e.message[:500]}
            gs = await agent.call("gate_status", {"gate": args.try_approve})
            report.data["gate_after"] = gs.get("status")
        calls = {}
        for spec in args.call or []:
            name, _, raw = spec.partition("=")
            try:
                r = await agent.raw(name, json.loads(raw or "{}"))
                calls[name] = {"is_error": r.is_error, "text": text_of(r)[:500]}
            except MCPError as e:
                calls[name] = {"jsonrpc_error": e.code, "text": e.message[:500]}
        report.data["calls"] = calls
        report.ok("probe")


# --- main -------------------------------------------------------------------------------


def find_failure(exc: BaseException) -> BaseException:
    """The interesting exception inside anyio's exception groups."""
    if isinstance(exc, BaseExceptionGroup):
        inner = [find_failure(e) for e in exc.exceptions]
        for e in inner:
            if isinstance(e, Failure):
                return e
        return inner[0] if inner else exc
    return exc


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    for name in ("flow", "conformance", "probe"):
        p = sub.add_parser(name)
        p.add_argument("--transport", choices=("stdio", "http"), required=True)
        p.add_argument("--lockgate", required=True, help="the lockgate binary")
        p.add_argument("--project", required=True, help="the project directory (holds lockgate.yaml)")
        p.add_argument("--url", help="http: the MCP endpoint, http://HOST:PORT/mcp")
        p.add_argument("--token", help="http: the agent's API token; stdio: passed as LOCKGATE_TOKEN")
        p.add_argument("--server-log", help="stdio: append the server's stderr here")
        if name == "flow":
            p.add_argument("--sync-dir", required=True, help="where the approval hand-over files go")
        if name == "probe":
            p.add_argument("--try-approve", metavar="GATE", help="also call approve on GATE")
            p.add_argument("--call", action="append", metavar="TOOL=JSON", help="also call TOOL with these arguments")
    args = ap.parse_args()
    if args.transport == "http" and not (args.url and args.token):
        ap.error("--transport http needs --url and --token")

    report = Report(args.command, args.transport)
    report.data["sdk"] = getattr(mcp, "__version__", None) or _sdk_version()
    fn = {"flow": flow, "conformance": conformance, "probe": probe}[args.command]
    try:
        anyio.run(fn, args, report)
    except BaseException as e:  # noqa: BLE001 - reported, then exit 1
        err = find_failure(e)
        if isinstance(err, (KeyboardInterrupt, SystemExit)):
            raise
        if isinstance(err, Failure):
            report.data["error"] = str(err)
        else:
            report.data["error"] = f"{type(err).__name__}: {err}\n" + "".join(traceback.format_exception(err))
        if report.data.get("failures"):
            report.data["error"] += "\n\nEarlier failed checks:\n\n" + "\n\n".join(report.data["failures"])
        report.data["ok"] = False
        print(json.dumps(report.data, indent=1, default=str))
        print(f"FAILED: {report.data['error']}", file=sys.stderr)
        return 1
    if report.data.get("failures"):
        report.data["ok"] = False
        report.data["error"] = f"{len(report.data['failures'])} check(s) failed:\n\n" + "\n\n".join(report.data["failures"])
        print(json.dumps(report.data, indent=1, default=str))
        print(f"FAILED: {report.data['error']}", file=sys.stderr)
        return 1
    report.data["ok"] = True
    print(json.dumps(report.data, indent=1, default=str))
    return 0


def _sdk_version() -> str | None:
    try:
        from importlib.metadata import version

        return version("mcp")
    except Exception:  # noqa: BLE001
        return None


if __name__ == "__main__":
    sys.exit(main())
