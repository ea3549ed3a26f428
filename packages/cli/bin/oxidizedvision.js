#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (run `npm run build` after changing src/).
import('../dist/main.js')
  .then((m) => m.main(process.argv))
  .catch((err) => {
    process.stderr.write(`oxidizedvision: failed to start: ${err?.message ?? err}\n`);
    process.exitCode = 1;
  });
