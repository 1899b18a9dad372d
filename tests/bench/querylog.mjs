#!/usr/bin/env node
// Count the statements one backend ran, from a slice of PostgreSQL's log written with
// log_min_duration_statement=0 (scripts/bench sets it for one connection only, through the
// libpq "options" parameter), and turn one of them into an EXPLAIN.
//
//   node tests/bench/querylog.mjs --log SLICE --pid PID [--list FILE] [--explain MATCH --sql FILE]
//
// SLICE is the part of the log written while one page was served; lines look like
//   2026-05-14 10:00:00.000 UTC [1234] LOG:  duration: 0.040 ms  execute <unnamed>: SELECT …
//   2026-05-14 10:00:00.000 UTC [1234] DETAIL:  parameters: $1 = '12', $2 = 'x'
// (log_line_prefix '%m [%p] ', the default). A statement is an "execute" entry (extended
// protocol: PQexecParams) or a "statement:" entry (simple protocol: PQexec); the parse and bind
// entries of the same statement are not counted.
//
// stdout: QUERIES=N; FUNCTION <name> calls=N ms=X for each SQL function whose statements were
// logged with a CONTEXT (auto_explain with log_nested_statements=on); EXPLAIN_READY=1 when
// --explain found its statement.
// --list FILE    the statements, one a line (duration, then the text up to 200 characters)
// --explain TEXT the first statement whose text contains TEXT is written to --sql FILE as
//                PREPARE bench_q AS <statement>; EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_q(<the
//                logged parameters>), twice, the first one's output discarded (cold caches); so
//                the plan is the one for the page's real parameters (an unnamed statement is
//                planned for its parameters, like PREPARE's first runs).

import { readFileSync, writeFileSync } from 'node:fs';

const args = {};
for (let i = 2; i < process.argv.length; i += 2) {
  const k = process.argv[i], v = process.argv[i + 1];
  if (!k?.startsWith('--') || v === undefined) {
    process.stderr.write('usage: querylog.mjs --log SLICE --pid PID [--list FILE] ' +
                         '[--explain TEXT --sql FILE]\n');
    process.exit(2);
  }
  args[k.slice(2)] = v;
}
if (!args.log || !/^\d+$/.test(args.pid || '')) {
  process.stderr.write('querylog: --log and --pid are required\n');
  process.exit(2);
}

// Join continuation lines (a statement with newlines) to the entry they belong to.
const head = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \[(\d+)\] ([A-Z]+):\s+(.*)$/;
const entries = [];
for (const line of readFileSync(args.log, 'utf8').split('\n')) {
  const m = head.exec(line);
  if (m) entries.push({ pid: m[1], level: m[2], text: m[3] });
  else if (entries.length && line !== '') entries[entries.length - 1].text += '\n' + line;
}

const statements = [];
for (let i = 0; i < entries.length; i++) {
  const e = entries[i];
  if (e.pid !== args.pid || e.level !== 'LOG') continue;
  const m = /^duration: ([\d.]+) ms\s+(?:execute [^:]*|statement): ([\s\S]*)$/.exec(e.text);
  if (!m) continue;
  let params = [];
  const next = entries.slice(i + 1).find((x) => x.pid === args.pid);
  if (next && next.level === 'DETAIL' && next.text.startsWith('parameters: ')) {
    for (const p of next.text.matchAll(/\$(\d+) = (NULL|'((?:[^']|'')*)')/g))
      params[Number(p[1]) - 1] = p[2] === 'NULL' ? null : p[3].replace(/''/g, "'");
  }
  statements.push({ ms: Number(m[1]), sql: m[2], params });
}

// Statements run inside SQL functions (logged by auto_explain with log_nested_statements): a
// LOG "duration: … plan:" entry followed by CONTEXT "SQL function "NAME" statement N".
const functions = new Map();
for (let i = 0; i + 1 < entries.length; i++) {
  const e = entries[i];
  if (e.pid !== args.pid || e.level !== 'LOG' || !/^duration: [\d.]+ ms\s+plan:/.test(e.text)) continue;
  const ctx = entries.slice(i + 1).find((x) => x.pid === args.pid);
  const m = ctx && ctx.level === 'CONTEXT' && /^SQL function "([^"]+)" statement \d+/.exec(ctx.text);
  if (!m) continue;
  const f = functions.get(m[1]) || { calls: 0, ms: 0 };
  f.calls++;
  f.ms += Number(/^duration: ([\d.]+)/.exec(e.text)[1]);
  functions.set(m[1], f);
}

process.stdout.write(`QUERIES=${statements.length}\n`);
for (const [name, f] of functions)
  process.stdout.write(`FUNCTION ${name} calls=${f.calls} ms=${f.ms.toFixed(3)}\n`);
if (args.list) {
  writeFileSync(args.list, statements.map((s, i) =>
    `${String(i + 1).padStart(2)}. ${s.ms.toFixed(3).padStart(8)} ms  ` +
    `${s.sql.replace(/\s+/g, ' ').slice(0, 200)}`).join('\n') + '\n' +
    [...functions].map(([name, f]) => `    inside them: ${name}() ran ${f.calls} times ` +
                                      `(${f.ms.toFixed(3)} ms executing)\n`).join(''));
}
if (args.explain && args.sql) {
  const s = statements.find((x) => x.sql.includes(args.explain));
  if (s) {
    const lit = (v) => (v === null || v === undefined ? 'NULL' : `'${v.replace(/'/g, "''")}'`);
    const call = s.params.length ? `(${s.params.map(lit).join(', ')})` : '';
    // Twice: the first run of a session pays for cold catalog caches (planning); the second
    // is what a pooled connection sees. Only the second is printed.
    writeFileSync(args.sql, `PREPARE bench_q AS ${s.sql};\n\\o /dev/null\n` +
                            `EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_q${call};\n\\o\n` +
                            `EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_q${call};\n`);
    process.stdout.write('EXPLAIN_READY=1\n');
  }
}
