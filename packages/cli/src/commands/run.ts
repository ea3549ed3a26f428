import { basename } from 'node:path';
import { Option, type Command } from '@commander-js/extra-typings';
import type { RunFileResult, RunSummary } from '@oxidizedvision/tools';
import {
  addOptions,
  parseFloats,
  parseNonNegativeInt,
  parsePngLevel,
  parsePositiveInt,
  parsePositiveNumber,
  parseUnitInterval,
  registryOptions,
} from '../options.js';
import { printJson, table } from '../output/format.js';
import { createContext } from '../context.js';

// Kept here so --help does not load the tools package.
const TASKS = ['image-to-image', 'classification', 'segmentation', 'detection'] as const;
const FORMATS = ['png', 'jpeg', 'webp', 'tiff'] as const;

const seconds = (s: number): string => `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, '0')}`;

/** A one-line bar redrawn in place on a TTY: count, rate and ETA from the mean rate so far. */
function progressBar(start: number): (done: number, total: number) => void {
  return (done, total) => {
    const elapsed = (performance.now() - start) / 1000;
    const rate = done / elapsed;
    const width = 24;
    const filled = Math.round((done / total) * width);
    const eta = done < total && rate > 0 ? ` ETA ${seconds((total - done) / rate)}` : '';
    process.stderr.write(
      `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${rate.toFixed(1)} img/s${eta}\x1b[K${done === total ? '\n' : ''}`,
    );
  };
}

const csvCell = (v: string | number): string =>
  /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v);

function renderPredictions(files: RunFileResult[], csv: boolean): string {
  const rows = files
    .filter((f) => f.ok)
    .flatMap((f) => f.predictions!.map((p, i) => [f.input, i + 1, p.index, p.label, p.probability] as const));
  if (csv) {
    const lines = ['file,rank,index,label,probability', ...rows.map((r) => r.map(csvCell).join(','))];
    return `${lines.join('\n')}\n`;
  }
  return `${table(
    ['File', 'Rank', 'Class', 'Label', 'Probability'],
    rows.map(([file, rank, index, label, p]) => [basename(file), rank, index, label, p.toFixed(4)]),
  )}\n`;
}

function renderDetections(files: RunFileResult[]): string {
  const rows = files
    .filter((f) => f.ok)
    .flatMap((f) =>
      f.detections!.map((d) => [
        basename(f.input),
        d.label,
        d.score.toFixed(3),
        d.box.map((v) => v.toFixed(1)).join(', '),
      ]),
    );
  return `${table(['File', 'Label', 'Score', 'Box (x1, y1, x2, y2)'], rows)}\n`;
}

function summaryLine(s: RunSummary, out: string | undefined): string {
  const where = s.task === 'classification' || !out ? '' : ` → ${out}`;
  const found =
    s.task === 'detection' ? `, ${s.files.reduce((n, f) => n + (f.detections?.length ?? 0), 0)} detection(s)` : '';
  const failed = s.failed ? `, ${s.failed} failed` : '';
  return `${s.failed ? '✗' : '✓'} ${s.succeeded}/${s.total} image(s)${found}${where} in ${(s.wall_ms / 1000).toFixed(1)} s (${s.images_per_second.toFixed(1)} img/s, model load ${(s.model_load_ms / 1000).toFixed(1)} s${failed})`;
}

export function registerRun(program: Command<[], Record<string, unknown>>): void {
  const run = program
    .command('run')
    .description('Run a model on images: denoised/restored images, top-k labels, segmentation masks, or detections')
    .argument('<model>', 'registry name[:version], a YAML config, or an .onnx file (with its .card.json beside it)')
    .argument('<inputs...>', 'image files, folders, or quoted globs (PNG, JPEG, WebP, TIFF)')
    .option(
      '-o, --out <dir>',
      'output folder (required for image-to-image and segmentation; detection draws its boxes there)',
    )
    .addOption(new Option('--task <task>', "post-processing (default: the model card's task)").choices(TASKS))
    .option('--width <n>', 'model input width (default: the card)', parsePositiveInt)
    .option('--height <n>', 'model input height (default: the card)', parsePositiveInt)
    .addOption(
      new Option('--resize <mode>', 'how images fit the input size').choices([
        'stretch',
        'fit',
        'fill',
        'letterbox',
      ] as const),
    )
    .option('--scale <x>', 'pixel multiplier before mean/std (e.g. 0.00392 = 1/255)', parsePositiveNumber)
    .option('--mean <list>', 'per-channel mean, comma-separated (1 value or one per channel)', parseFloats)
    .option('--std <list>', 'per-channel std, comma-separated (1 value or one per channel)', parseFloats)
    .addOption(new Option('--layout <layout>', 'input tensor layout').choices(['NCHW', 'NHWC'] as const))
    .addOption(new Option('--channel-order <order>', 'input channel order').choices(['RGB', 'BGR', 'GRAY'] as const))
    .addOption(
      new Option(
        '--format <format>',
        "output image format: images, overlays, drawn detections (default: the input's)",
      ).choices(FORMATS),
    )
    .option(
      '--png-compression <n>',
      'zlib level 0-9 for PNG outputs with repeats, e.g. masks (default 6; 0 = uncompressed)',
      parsePngLevel,
    )
    .option('--top-k <n>', 'classification: classes per image (default 5)', parsePositiveInt)
    .option('--score-threshold <x>', 'detection: drop detections scoring below x, 0-1 (default 0.5)', parseUnitInterval)
    .option('--max-detections <n>', 'detection: at most n per image, best first (default: all)', parsePositiveInt)
    .option(
      '--nms-iou <x>',
      'detection: class-aware NMS at IoU x, for models whose graph leaves NMS out (default: none)',
      parseUnitInterval,
    )
    .option(
      '--tile <n>',
      'image-to-image tile side in pixels; 0 = whole image (default: the model input size, at least 512 when its H/W are dynamic)',
      parseNonNegativeInt,
    )
    .option(
      '--overlap <n>',
      'pixels shared by neighbouring tiles, feather-blended (default: 96, at most half the tile)',
      parseNonNegativeInt,
    )
    .option(
      '--workers <n>',
      'inference worker threads, one session each (default: one per core, at most 4)',
      parsePositiveInt,
    )
    .option('--threads <n>', 'onnxruntime threads per worker (default: cores/workers)', parsePositiveInt)
    .option('--overwrite', 'replace output files that already exist');
  addOptions(run, registryOptions())
    .option('--csv', 'classification: print predictions as CSV')
    .option('--json', 'print a JSON summary (every file, its outputs or error) on stdout')
    .action(async (model, inputs, opts, command) => {
      const ctx = createContext(command);
      const { runImages } = await import('@oxidizedvision/tools');
      const bar = process.stderr.isTTY && !opts.json && !ctx.flags.quiet ? progressBar(performance.now()) : undefined;
      const summary = await runImages(model, inputs, {
        out: opts.out,
        task: opts.task,
        width: opts.width,
        height: opts.height,
        resize: opts.resize,
        scale: opts.scale,
        mean: opts.mean,
        std: opts.std,
        layout: opts.layout,
        channelOrder: opts.channelOrder,
        format: opts.format,
        pngCompression: opts.pngCompression,
        topK: opts.topK,
        scoreThreshold: opts.scoreThreshold,
        maxDetections: opts.maxDetections,
        nmsIou: opts.nmsIou,
        tile: opts.tile,
        overlap: opts.overlap,
        workers: opts.workers,
        threads: opts.threads,
        overwrite: opts.overwrite,
        registryHome: opts.registry,
        logger: ctx.logger,
        onProgress: ctx.progress,
        onFile: bar ? (_r, done, total) => bar(done, total) : undefined,
      });
      if (opts.json) printJson(summary);
      else {
        if (summary.task === 'classification' && summary.succeeded > 0)
          process.stdout.write(renderPredictions(summary.files, Boolean(opts.csv)));
        if (summary.task === 'detection' && summary.succeeded > 0)
          process.stdout.write(renderDetections(summary.files));
        // Most messages name their file already ("cannot decode image <path>: …"); the rest get it in front.
        for (const f of summary.files.filter((x) => !x.ok))
          ctx.logger.error(f.error!.message.includes(f.input) ? f.error!.message : `${f.input}: ${f.error!.message}`);
        ctx.logger.info(summaryLine(summary, opts.out));
      }
      if (summary.failed > 0) process.exitCode = 1;
    });
}
