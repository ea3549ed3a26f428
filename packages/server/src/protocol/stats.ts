import type { ModelStats } from '../models/types.js';

const ZERO = Object.freeze({ count: 0, ns: 0 });

/**
 * `{"model_stats": [...]}` in Triton's statistics-extension shape. perf_analyzer indexes cache_hit and
 * cache_miss without checking they exist (rapidjson asserts on a missing member), so they are always
 * present; this server has no response cache, so they stay zero.
 */
export function statsBody(stats: ModelStats[]): { model_stats: object[] } {
  return {
    model_stats: stats.map((s) => ({
      ...s,
      inference_stats: { ...s.inference_stats, cache_hit: ZERO, cache_miss: ZERO },
    })),
  };
}
