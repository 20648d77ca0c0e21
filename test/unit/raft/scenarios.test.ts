/**
 * Runs every script in testdata/ (etcd/raft's datadriven style) against a fresh interaction
 * environment. `REWRITE=1` re-records the expected outputs in the source files; review the
 * diff of a rewrite as carefully as code: the recorded output is the specification.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { mismatch, runFile } from './datadriven.js';
import { InteractionEnv } from './interaction.js';

// This file runs from dist/test/unit/raft/; the scripts stay in the source tree, so that
// rewrite mode updates the files under version control.
const TESTDATA = new URL('../../../../test/unit/raft/testdata/', import.meta.url);
const rewrite = process.env['REWRITE'] === '1';

const files = readdirSync(TESTDATA)
  .filter((f) => f.endsWith('.txt'))
  .sort();

t.ok(files.length > 0, `scripts found in ${fileURLToPath(TESTDATA)}`);

for (const file of files) {
  void t.test(file, async (tt) => {
    const env = new InteractionEnv();
    const results = runFile(fileURLToPath(new URL(file, TESTDATA)), (d) => env.handle(d), { rewrite, displayName: `test/unit/raft/testdata/${file}` });
    for (const r of results) {
      if (r.ok) {
        tt.pass(`${r.data.pos} ${r.data.cmd}`);
      } else {
        const { headline, diff } = mismatch(r);
        tt.fail(headline, { diff });
      }
    }
    if (rewrite) tt.comment(`rewrote ${file}`);
  });
}
