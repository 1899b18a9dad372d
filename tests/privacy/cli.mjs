// cli.mjs - the contract of `cairn privacy-check` (issue 12 item 2): exactly one answer line
// per input line, in order; "error<TAB>invalid UTF-8" for a line that is not UTF-8 (and the
// lines around it still answered); CRLF, NUL bytes, a long line and a last line without LF;
// exit status 0 once all of standard input was read.
//
//   node --test cli.mjs            (CAIRN names the binary)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const cairn = process.env.CAIRN;
if (!cairn) throw new Error('set CAIRN to the cairn binary');

function check(input) {
  const r = spawnSync(cairn, ['privacy-check'], { input, maxBuffer: 1 << 26 });
  assert.equal(r.error, undefined);
  assert.equal(r.status, 0, `exit status ${r.status}: ${r.stderr}`);
  return r.stdout.toString('utf8');
}

test('one answer per line, in order, each ok, flag or error', () => {
  const input = Buffer.concat([
    Buffer.from('The family meeting on Thursday went well.\n'),
    Buffer.from('Mr. Castillo in room 712 asked for the chaplain.\n'),
    Buffer.from([0x4d, 0x72, 0x2e, 0x20, 0xff, 0xfe, 0x0a]),          // "Mr. " + invalid bytes
    Buffer.from([0xc0, 0x80, 0x0a]),                                  // overlong NUL
    Buffer.from('Call the wife at 503.555.0199 before rounds.\r\n'),   // CRLF
    Buffer.from('\n'),                                                // an empty line
    Buffer.from('Mrs. Alvarez, 82,\0with metastatic cancer.\n'),      // NUL: a space
    Buffer.from('She was admitted on March 3 and died on 11/14/2025.'), // no LF at the end
  ]);
  assert.equal(check(input),
    'ok\n' +
    'flag\tname_with_room,room_bed\n' +
    'error\tinvalid UTF-8\n' +
    'error\tinvalid UTF-8\n' +
    'flag\tphone\n' +
    'ok\n' +
    'flag\tname_with_age,name_with_diagnosis\n' +
    'flag\texact_date\n');
});

test('a final LF does not make another line; no input, no answer', () => {
  assert.equal(check('Dr. Dow spoke.\n'), 'ok\n');
  assert.equal(check('Dr. Dow spoke.'), 'ok\n');
  assert.equal(check('\n\n'), 'ok\nok\n');
  assert.equal(check(''), '');
});

test('a CR alone does not end an answer line (inside a line it ends a sentence)', () => {
  assert.equal(check('MRN\r00482913\r\nok\r\n'), 'flag\trecord_number\nok\n');
});

test('long lines: a megabyte each, with the identifier at the very end', () => {
  const filler = 'Dr. Dow\u2019s talk on serious news was good. '.repeat(25000);
  const input = `${filler}Call the son at 312-555-0187.\n${filler}\n`;
  assert.ok(Buffer.byteLength(input) > 2_000_000);
  assert.equal(check(input), 'flag\tphone\nok\n');
});

test('many lines: the count is kept', () => {
  const lines = [];
  for (let i = 0; i < 5000; i++)
    lines.push(i % 3 === 0 ? 'A 93-year-old asked to stop dialysis.' : i % 3 === 1 ? 'bed rest' : '\u00e9\u00e8');
  const out = check(lines.join('\n') + '\n').split('\n');
  assert.equal(out.pop(), '');
  assert.equal(out.length, 5000);
  out.forEach((o, i) => assert.equal(o, i % 3 === 0 ? 'flag\tage_over_89' : 'ok'));
});

test('an argument is refused with usage (exit 2), nothing read', () => {
  const r = spawnSync(cairn, ['privacy-check', '--json'], { input: 'x\n' });
  assert.equal(r.status, 2);
  assert.equal(r.stdout.length, 0);
  assert.match(r.stderr.toString(), /usage: cairn privacy-check/);
});
