export { packageModels } from './package-models.js';
export { serviceName } from './names.js';
export { tritonConfig } from './triton.js';
export { resourcesFor } from './kubernetes.js';
export {
  PACKAGE_TARGETS,
  type PackageOptions,
  type PackageResult,
  type PackageTarget,
  type PackageTemplate,
  type PackagedModel,
} from './types.js';
