// Converts and validates every torchvision builder (all families) with redrawn weights and small inputs,
// and writes the status table into docs/models.md (between the sweep markers). Run by hand, not in CI:
//
//   nice -n 19 node bench/torchvision-sweep.mjs [--python /usr/bin/python3] [--column torch-1.13]
//        [--only resnet18,raft_small] [--families detection,video] [--timeout 600] [--dry-run]
//
// Each model is converted with --randomize-weights (torchvision's own init gives constant or vanishing
// outputs on many of them) and validated against onnxruntime-node on one seeded input. The status of a
// model is its first failing step with the first line of its error.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(REPO, 'packages/cli/bin/oxidizedvision.js');
const DOC = join(REPO, 'docs/models.md');
const { values: args } = parseArgs({
  options: {
    python: { type: 'string', default: '/usr/bin/python3' },
    column: { type: 'string', default: 'torch-1.13' },
    only: { type: 'string' },
    families: { type: 'string' },
    timeout: { type: 'string', default: '900' },
    'dry-run': { type: 'boolean', default: false },
  },
});

/** Every builder per family, as the bridge finds them (the same lookup `torchvision:<name>` uses). */
function listBuilders(python) {
  const code = [
    'import json, sys, torchvision',
    `sys.path.insert(0, ${JSON.stringify(join(REPO, 'packages/tools/python'))})`,
    'from oxv_bridge.torchvision_builders import family_builders',
    'print(json.dumps({"torchvision": torchvision.__version__, "families": {f: sorted(b) for f, b in family_builders(torchvision.models).items()}}))',
  ].join('\n');
  return JSON.parse(execFileSync(python, ['-c', code], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
}

/** Small inputs each family (and the builders with fixed sizes) accepts. */
function modelSection(family, name) {
  const image = (side) => `  input_shape: [1, 3, ${side}, ${side}]`;
  if (family === 'optical_flow') {
    return '  inputs:\n    - {name: image1, shape: [1, 3, 128, 128]}\n    - {name: image2, shape: [1, 3, 128, 128]}';
  }
  if (family === 'video') {
    if (name.startsWith('mvit')) return '  input_shape: [1, 3, 16, 224, 224]';
    return name === 's3d' ? '  input_shape: [1, 3, 16, 224, 224]' : '  input_shape: [1, 3, 4, 64, 64]';
  }
  if (family === 'detection') {
    if (name.startsWith('ssdlite')) return image(320);
    if (name.startsWith('ssd300')) return image(300);
    return `  init_args: {min_size: 160, max_size: 160}\n${image(160)}`;
  }
  if (family === 'segmentation') return image(128);
  // ViT-style models need their image_size; AlexNet and VGG pool adaptively to 6×6 / 7×7, which ONNX
  // exports only when that divides the feature map.
  if (/^(vit|swin|maxvit|vgg|alexnet)/.test(name)) return image(224);
  if (name === 'inception_v3') return image(299);
  return image(64);
}

function cli(argv, cwd, timeoutMs) {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [BIN, ...argv],
      { cwd, timeout: timeoutMs, maxBuffer: 64 << 20, env: { ...process.env, OXV_HOME: join(cwd, 'home') } },
      (error, stdout, stderr) =>
        done({ code: error ? (error.killed ? 'timeout' : (error.code ?? 1)) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

function firstError(text) {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith('error:'));
  // "error: Invalid config:" and the like put the reason on the next line.
  const line =
    at < 0
      ? (lines.filter(Boolean).pop() ?? '')
      : `${lines[at]} ${lines[at].endsWith(':') ? (lines[at + 1] ?? '').trim() : ''}`;
  return line
    .replace(/^error:\s*/, '')
    .replace(/\/tmp\/[^\s]*/g, '…')
    .replace(/\|/g, '\\|')
    .slice(0, 160);
}

async function sweepOne(family, name, timeoutMs) {
  const dir = mkdtempSync(join(tmpdir(), 'oxv-sweep-'));
  const path = family === 'classification' ? name : `${family}.${name}`;
  writeFileSync(
    join(dir, 'config.yml'),
    `model:\n  path: torchvision:${path}\n${modelSection(family, name)}\n  randomize_weights: true\nexport:\n  model_name: m\n  torchscript: false\n  register: false\nvalidation:\n  num_tests: 1\n`,
  );
  const started = Date.now();
  try {
    const converted = await cli(['convert', 'config.yml', '-q', '--no-register'], dir, timeoutMs);
    if (converted.code === 'timeout') return { status: `convert: timed out after ${timeoutMs / 1000} s` };
    if (converted.code !== 0) return { status: `convert fails: ${firstError(converted.stderr)}` };
    const validated = await cli(['validate', 'config.yml', '--json', '--targets', 'onnxruntime-node'], dir, timeoutMs);
    if (validated.code === 'timeout') return { status: `validate: timed out after ${timeoutMs / 1000} s` };
    let report;
    try {
      report = JSON.parse(validated.stdout);
    } catch {
      return { status: `validate fails: ${firstError(validated.stderr)}` };
    }
    const worst = Math.max(...report.comparisons.map((c) => c.relative_max_error).filter(Number.isFinite), 0);
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    if (report.passed) return { status: `pass (rel. max error ${worst.toExponential(1)}, ${seconds} s)` };
    // Outputs in pixels (boxes, flow) or of a large scale miss the absolute MAE tolerance on float32 noise
    // alone: such a row is reported as passing relative to the reference's scale, with its numbers.
    const failing = report.comparisons.filter((c) => !c.passed);
    const numericOnly =
      report.failures.length === 0 &&
      report.degenerate.length === 0 &&
      failing.every(
        (c) => /^(MAE|max abs)/.test(c.reason ?? '') && c.relative_mae <= 1e-4 && c.cosine_similarity >= 0.9999,
      );
    if (numericOnly) {
      const rows = failing.map(
        (c) => `"${c.output}" MAE ${c.mae.toExponential(1)}, rel. ${c.relative_mae.toExponential(1)}`,
      );
      return { status: `pass relative to scale (${rows.join('; ')}; ${seconds} s)` };
    }
    const why = [
      ...report.failures.map((f) => f.message),
      ...report.degenerate.map((d) => `"${d.output}" ${d.reason}`),
      ...report.comparisons.filter((c) => !c.passed).map((c) => `"${c.output}": ${c.reason}`),
    ];
    return { status: `validate FAIL: ${[...new Set(why)].join('; ').replace(/\|/g, '\\|').slice(0, 200)}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function writeTable(rows, meta) {
  const doc = readFileSync(DOC, 'utf8');
  const begin = '<!-- torchvision-sweep:begin -->';
  const end = '<!-- torchvision-sweep:end -->';
  const start = doc.indexOf(begin);
  const stop = doc.indexOf(end);
  if (start < 0 || stop < 0) throw new Error(`${DOC} has no ${begin} … ${end} markers`);
  const previous = new Map();
  for (const line of doc.slice(start, stop).split('\n')) {
    const cells = line.split(' | ');
    if (cells.length >= 4 && line.startsWith('| `'))
      previous.set(
        cells[0].slice(2).trim(),
        cells.slice(1).map((c) => c.replace(/ \|$/, '').trim()),
      );
  }
  const table = [
    `Generated by \`node bench/torchvision-sweep.mjs\` (${meta}).`,
    '',
    '| Builder | Family | Debian torch 1.13 / torchvision 0.14 | PyTorch 2.x (PyPI) |',
    '| --- | --- | --- | --- |',
    ...rows.map(({ family, name, status }) => {
      const old = previous.get(`\`${name}\``);
      const col13 = (args.column === 'torch-1.13' && status) || (old?.[1] ?? 'not run');
      const col2 = (args.column === 'torch-2' && status) || (old?.[2] ?? 'not run');
      return `| \`${name}\` | ${family} | ${col13} | ${col2} |`;
    }),
  ].join('\n');
  writeFileSync(DOC, `${doc.slice(0, start + begin.length)}\n${table}\n${doc.slice(stop)}`);
}

const { torchvision, families } = listBuilders(args.python);
const only = args.only?.split(',');
const wantedFamilies = args.families?.split(',');
const label = (family, name) => (family === 'classification' ? name : `${family}.${name}`);
const every = Object.entries(families).flatMap(([family, names]) => names.map((name) => ({ family, name })));
const todo = every.filter(
  ({ family, name }) => (!wantedFamilies || wantedFamilies.includes(family)) && (!only || only.includes(name)),
);
const measured = new Map();
for (const { family, name } of todo) {
  const result = args['dry-run'] ? { status: 'not run' } : await sweepOne(family, name, Number(args.timeout) * 1000);
  measured.set(label(family, name), result.status);
  process.stderr.write(`${label(family, name)}: ${result.status}\n`);
  // Written after every model, so an interrupted sweep keeps what it measured; rows not measured in this
  // run keep what the table said before.
  writeTable(
    every.map(({ family, name }) => ({ family, name: label(family, name), status: measured.get(label(family, name)) })),
    `torchvision ${torchvision}, ${new Date().toISOString().slice(0, 10)}, onnxruntime-node, one seeded input, randomized weights`,
  );
}
