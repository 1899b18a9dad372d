// No include circles between modules (README, "How it is built"): a module
// is include/cairn/X.h together with server/X.c, and it depends on Y when
// either file includes "cairn/Y.h". A cycle in that graph means two modules
// each need the other, so neither is a layer below the other; this test
// fails on any, naming the files that close it.
//
// usage: node include-cycles.mjs <source dir>
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, basename } from 'node:path';

const root = process.argv[2];
if (!root) {
  console.error('usage: node include-cycles.mjs <source dir>');
  process.exit(2);
}

// module -> Map(dependency -> the file that includes it)
const deps = new Map();
function scan(file, mod) {
  if (!deps.has(mod)) deps.set(mod, new Map());
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/^\s*#\s*include\s+"cairn\/([A-Za-z0-9_]+)\.h"/gm)) {
    if (m[1] !== mod && !deps.get(mod).has(m[1])) deps.get(mod).set(m[1], file.slice(root.length + 1));
  }
}
const hdrDir = join(root, 'include', 'cairn');
const srcDir = join(root, 'server');
for (const f of readdirSync(hdrDir)) if (f.endsWith('.h')) scan(join(hdrDir, f), basename(f, '.h'));
// A .c file without a header of its own (main.c) is the top; it is scanned
// all the same, since nothing can include it.
for (const f of readdirSync(srcDir)) if (f.endsWith('.c')) scan(join(srcDir, f), basename(f, '.c'));

if (deps.size < 2 || !existsSync(join(hdrDir, 'arena.h'))) {
  console.error(`not a Cairn source tree: ${root}`);
  process.exit(2);
}

// Strongly connected components (Tarjan): every component of more than one
// module is a circle.
let index = 0;
const idx = new Map(), low = new Map(), onStack = new Set(), stack = [], circles = [];
function visit(v) {
  idx.set(v, index); low.set(v, index); index++;
  stack.push(v); onStack.add(v);
  for (const w of deps.get(v)?.keys() ?? []) {
    if (!deps.has(w)) continue; // a header outside the modules (none today)
    if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
    else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const comp = [];
    let w;
    do { w = stack.pop(); onStack.delete(w); comp.push(w); } while (w !== v);
    if (comp.length > 1) circles.push(comp.sort());
  }
}
for (const v of [...deps.keys()].sort()) if (!idx.has(v)) visit(v);

let edges = 0;
for (const d of deps.values()) edges += d.size;
if (circles.length === 0) {
  console.log(`no include circles: ${deps.size} modules, ${edges} dependencies`);
  process.exit(0);
}
for (const comp of circles) {
  const inComp = new Set(comp);
  console.log(`include circle among: ${comp.join(', ')}`);
  for (const v of comp)
    for (const [w, file] of deps.get(v))
      if (inComp.has(w)) console.log(`  ${v} -> ${w}   (${file} includes cairn/${w}.h)`);
}
process.exit(1);
