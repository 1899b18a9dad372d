// measure.mjs - how well `cairn privacy-check` tells the labelled sentences apart.
//
//   node measure.mjs CAIRN FILE.tsv [--min 0.9] [--readme README.md]
//
// Runs the command over the sentences of FILE (label TAB sentence; label "ok" or reason
// codes), then prints precision and recall of "flag" against "ok" at the sentence level
// (and per reason code, for information), with the sentences it got wrong. Fails when
// either sentence-level figure is below --min.
//
// With --readme, FILE must be the held-out set the README names: its SHA-256 must be the one
// the README gives, and when git can see the dataset commit the README names, the file in that
// commit must have the same hash. Nobody can quietly edit the held-out set, or tune against a
// different one.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

const CODES = ['name_with_age', 'name_with_diagnosis', 'name_with_room', 'date_of_birth',
  'record_number', 'phone', 'email', 'street_address', 'room_bed', 'exact_date', 'age_over_89'];

function fail(msg) {
  console.error(`privacy: ${msg}`);
  process.exit(1);
}

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  if (i < 0) return dflt;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const min = Number(opt('--min', '0.9'));
const readme = opt('--readme', null);
const [cairn, file] = args;
if (!cairn || !file || Number.isNaN(min)) fail('usage: node measure.mjs CAIRN FILE.tsv [--min 0.9] [--readme README.md]');

const bytes = readFileSync(file);
const sha = createHash('sha256').update(bytes).digest('hex');

if (readme) {
  const text = readFileSync(readme, 'utf8');
  const named = text.match(/held-out[^\n]*SHA-256 `([0-9a-f]{64})`/);
  const commit = text.match(/dataset commit `([0-9a-f]{7,40})`/);
  if (!named) fail(`${readme} names no held-out SHA-256 (a line with "held-out" and SHA-256 \`hex\`)`);
  if (!commit) fail(`${readme} names no dataset commit (dataset commit \`id\`)`);
  if (named[1] !== sha) fail(`${file} has SHA-256 ${sha}, but the README names ${named[1]}: the held-out set was changed`);
  console.log(`held-out file SHA-256 ${sha} is the one the README names`);
  // The same file in the dataset commit (skipped where git or the history is absent,
  // as in an exported tarball).
  const root = dirname(resolve(readme));
  const path = relative(root, resolve(file));
  const git = spawnSync('git', ['-C', root, 'show', `${commit[1]}:${path}`], { maxBuffer: 1 << 26 });
  if (git.error || git.status !== 0) {
    console.log(`dataset commit ${commit[1]} is not in this checkout's history: its copy was not compared`);
  } else {
    const then = createHash('sha256').update(git.stdout).digest('hex');
    if (then !== sha) fail(`${path} in the dataset commit ${commit[1]} has SHA-256 ${then}, not ${sha}`);
    console.log(`the dataset commit ${commit[1]} holds the same held-out file`);
  }
}

const rows = bytes.toString('utf8').split('\n').filter((l) => l !== '').map((l, i) => {
  const tab = l.indexOf('\t');
  if (tab < 0) fail(`${file}:${i + 1}: no tab`);
  const label = l.slice(0, tab);
  const codes = label === 'ok' ? [] : label.split(',');
  for (const c of codes) if (!CODES.includes(c)) fail(`${file}:${i + 1}: unknown code ${c}`);
  return { line: i + 1, codes, sentence: l.slice(tab + 1) };
});

const run = spawnSync(cairn, ['privacy-check'], {
  input: rows.map((r) => r.sentence + '\n').join(''), maxBuffer: 1 << 26,
});
if (run.error) fail(`cannot run ${cairn}: ${run.error.message}`);
if (run.status !== 0) fail(`cairn privacy-check exited with ${run.status}: ${run.stderr}`);
const out = run.stdout.toString('utf8').split('\n');
if (out.at(-1) === '') out.pop();
if (out.length !== rows.length) fail(`${rows.length} sentences but ${out.length} answers`);

const count = { tp: 0, fp: 0, fn: 0, tn: 0 };
const per = Object.fromEntries(CODES.map((c) => [c, { tp: 0, fp: 0, fn: 0 }]));
const wrong = [];
rows.forEach((r, i) => {
  const [verdict, list = ''] = out[i].split('\t');
  if (verdict !== 'ok' && verdict !== 'flag') fail(`answer ${i + 1} is "${out[i]}"`);
  const got = verdict === 'flag' ? list.split(',') : [];
  const want = r.codes.length > 0;
  const flagged = got.length > 0;
  count[want ? (flagged ? 'tp' : 'fn') : (flagged ? 'fp' : 'tn')]++;
  if (want !== flagged) wrong.push(`  line ${r.line}: labelled ${r.codes.join(',') || 'ok'}, answered ${out[i].replace('\t', ' ')}: ${r.sentence}`);
  for (const c of CODES) {
    const w = r.codes.includes(c), g = got.includes(c);
    if (w && g) per[c].tp++;
    else if (g) per[c].fp++;
    else if (w) per[c].fn++;
  }
});

const ratio = (a, b) => (b === 0 ? 1 : a / b);
const precision = ratio(count.tp, count.tp + count.fp);
const recall = ratio(count.tp, count.tp + count.fn);
console.log(`${file}: ${rows.length} sentences, ${count.tp + count.fn} labelled with an identifier`);
console.log(`per reason code (precision / recall over the sentences that carry it):`);
for (const c of CODES) {
  const p = per[c];
  if (p.tp + p.fp + p.fn === 0) continue;
  console.log(`  ${c.padEnd(20)} ${ratio(p.tp, p.tp + p.fp).toFixed(2)} / ${ratio(p.tp, p.tp + p.fn).toFixed(2)}  (${p.tp + p.fn} labelled, ${p.tp + p.fp} found)`);
}
if (wrong.length) console.log(`sentences answered wrongly:\n${wrong.join('\n')}`);
console.log(`flag vs ok: ${count.tp} true flags, ${count.fp} false flags, ${count.fn} missed, ${count.tn} true ok`);
console.log(`precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)} (each must be at least ${min})`);
if (precision < min || recall < min) fail(`precision or recall below ${min}`);
