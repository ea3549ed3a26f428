export { validateModel, type ValidateOptions } from './validate.js';
export {
  VALIDATE_TARGETS,
  type ValidateTarget,
  type ValidationReport,
  type Comparison,
  type Tolerances,
  type TargetFailure,
  type DegenerateOutput,
} from './types.js';
