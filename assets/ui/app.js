// lockgate UI: live updates with EventSource; no build step.
//
// Every page works without this script: it only asks before destructive
// actions, keeps the rollout page's numbers and charts current
// (GET /api/v1/rollouts/{service}/{env}/events, event `status`), and
// follows the log of a running job (…/log?follow=true, events `line`
// and `end`). Text goes in through textContent, never as HTML.
"use strict";

(function () {
  const SVG = "http://www.w3.org/2000/svg";

  function text(id, value) {
    const el = document.getElementById(id);
    if (el) el.textContent = value;
  }

  function pct(v) {
    return Number.isInteger(v) ? String(v) : v.toFixed(1);
  }

  // ---- destructive actions ask first ----------------------------------------
  document.addEventListener("submit", function (ev) {
    const form = ev.target;
    const question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) ev.preventDefault();
  });

  // ---- the rollout page -------------------------------------------------------
  function rolloutPage(root) {
    const url = root.getAttribute("data-events");
    let last = null;
    try {
      last = JSON.parse(root.getAttribute("data-status") || "null");
    } catch (_) {
      last = null;
    }
    const points = [];
    const MAX_POINTS = 120;

    function tallyTotal(s) {
      const t = s && s.rollout && s.rollout.analysis && s.rollout.analysis.tally;
      return t ? t.successful + t.failed + t.inconclusive + t.errors : 0;
    }

    function observedLine(observed) {
      return (observed || [])
        .map(function (o) {
          const mark = o.pass === true ? " ✓" : o.pass === false ? " ✗" : "";
          return o.condition + " = " + (o.value == null ? "?" : o.value) + mark;
        })
        .join(", ");
    }

    function outcomeWord(o) {
      const sym = { successful: "✓", failed: "✗", inconclusive: "?" }[o] || "!";
      return sym + " " + o;
    }

    function addMeasurement(m) {
      const body = document.querySelector("#analysis-table tbody");
      if (!body || !m) return;
      const tr = document.createElement("tr");
      [new Date().toLocaleTimeString(), outcomeWord(m.outcome), observedLine(m.observed)].forEach(function (v) {
        const td = document.createElement("td");
        td.textContent = v;
        tr.appendChild(td);
      });
      body.insertBefore(tr, body.firstChild);
      while (body.children.length > 50) body.removeChild(body.lastChild);
    }

    function drawSpark() {
      const line = document.getElementById("spark-line");
      if (!line || points.length === 0) return;
      const max = Math.max(1, Math.max.apply(null, points));
      const step = points.length > 1 ? 200 / (points.length - 1) : 0;
      line.setAttribute(
        "points",
        points
          .map(function (p, i) {
            return (i * step).toFixed(1) + "," + (39 - (p / max) * 36).toFixed(1);
          })
          .join(" ")
      );
    }

    // The same words as the page's server-side `health`.
    function health(s) {
      if (typeof s.listen_error === "string") return ["✗", "not serving", "st-bad"];
      const inst = s.instances || [];
      const ready = inst.filter(function (i) { return i.state === "ready"; }).length;
      if (inst.length === 0) return ["○", "no instances", "st-none"];
      if (ready === inst.length) return ["✓", "healthy: " + ready + " of " + inst.length + " ready", "st-ok"];
      if (ready === 0) return ["⧗", "starting", "st-wait"];
      return ["!", ready + " of " + inst.length + " ready", "st-warn"];
    }

    function showHealth(s) {
      const dd = document.getElementById("health");
      if (!dd) return;
      const h = health(s);
      const span = document.createElement("span");
      span.className = "st " + h[2];
      const mark = document.createElement("span");
      mark.setAttribute("aria-hidden", "true");
      mark.textContent = h[0];
      span.appendChild(mark);
      span.appendChild(document.createTextNode(" " + h[1]));
      dd.replaceChildren(span);
    }

    function update(s) {
      const r = s.rollout;
      text("stable-version", s.stable || "none yet");
      showHealth(s);
      if (r) {
        const w = Math.min(100, Math.max(0, Number(r.weight) || 0));
        text("weight-canary", pct(w));
        text("weight-stable", pct(100 - w));
        const stable = document.getElementById("bar-stable");
        const canary = document.getElementById("bar-canary");
        if (stable) stable.setAttribute("width", String(100 - w));
        if (canary) {
          canary.setAttribute("x", String(100 - w));
          canary.setAttribute("width", String(w));
        }
        const steps = document.querySelectorAll("#steps li");
        steps.forEach(function (li, i) {
          const done = r.phase === "completed" || i < r.step;
          const current = !done && i === r.step && (r.phase === "progressing" || r.phase === "paused");
          li.setAttribute("data-state", done ? "done" : current ? "current" : "to come");
          const sr = li.querySelector(".sr-only");
          const mark = li.querySelector("[aria-hidden]");
          if (sr) sr.textContent = (done ? "done" : current ? "current" : "to come") + ": ";
          if (mark) mark.textContent = done ? "✓" : current ? "→" : "·";
        });
        const a = r.analysis;
        if (a && a.tally) {
          text("tally-successful", a.tally.successful);
          text("tally-failed", a.tally.failed);
          text("tally-inconclusive", a.tally.inconclusive);
          text("tally-errors", a.tally.errors);
          if (tallyTotal(s) > tallyTotal(last)) addMeasurement(a.last);
        }
        const t = s.traffic && s.traffic[r.to];
        if (t && typeof t.error_rate === "number") {
          points.push(t.error_rate);
          if (points.length > MAX_POINTS) points.shift();
          text("spark-latest", t.error_rate.toFixed(2) + "%");
          drawSpark();
        }
      }
      const before = last && last.rollout ? last.rollout.phase + " " + last.rollout.id : "";
      const now = r ? r.phase + " " + r.id : "";
      if (last && before !== now) {
        if (document.getElementById("phase-word")) text("phase-word", r ? r.phase : "none");
        else if (r) text("phase", r.strategy + " rollout of " + r.to + ": " + r.phase + ", " + pct(Number(r.weight) || 0) + "% of traffic");
        text("live-state", "The rollout is now " + (r ? r.phase : "gone") + ". Reload the page for the actions that fit.");
      }
      last = s;
    }

    if (!url || !window.EventSource) {
      text("live-state", "Live updates are not available in this browser; reload the page for news.");
      return;
    }
    const es = new EventSource(url);
    es.addEventListener("open", function () {
      text("live-state", "Live: updates as they happen.");
    });
    es.addEventListener("status", function (ev) {
      try {
        update(JSON.parse(ev.data));
      } catch (_) {
        /* a malformed event is skipped */
      }
    });
    es.addEventListener("error", function () {
      text("live-state", "Live updates interrupted; retrying…");
    });
  }

  // ---- following a job's log --------------------------------------------------
  function followLog(pre) {
    const url = pre.getAttribute("data-follow");
    if (!url || !window.EventSource) return;
    const es = new EventSource(url);
    let fresh = true; // the stream starts at the top of the log
    let atBottom = true;
    pre.addEventListener("scroll", function () {
      atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    });
    es.addEventListener("line", function (ev) {
      if (fresh) {
        pre.textContent = "";
        fresh = false;
      }
      pre.appendChild(document.createTextNode(ev.data + "\n"));
      if (atBottom) pre.scrollTop = pre.scrollHeight;
    });
    es.addEventListener("end", function () {
      es.close();
      text("log-state", "The run has finished; reload the page for its results.");
    });
    es.addEventListener("error", function () {
      // EventSource reconnects by itself, and the stream starts over.
      fresh = true;
      text("log-state", "Following the log was interrupted; retrying…");
    });
  }

  function start() {
    const rollout = document.getElementById("rollout-live");
    if (rollout) rolloutPage(rollout);
    const log = document.getElementById("log");
    if (log && log.hasAttribute("data-follow")) followLog(log);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
