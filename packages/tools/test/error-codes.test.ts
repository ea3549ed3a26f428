import { TOOLS_ERROR_CODES } from '../src/errors.js';
import { errorCodesSuite } from '../../runtime/test/error-docs.js';

errorCodesSuite('@oxidizedvision/tools', TOOLS_ERROR_CODES);
