import { SERVER_ERROR_CODES } from '../src/errors.js';
import { errorCodesSuite } from '../../runtime/test/error-docs.js';

errorCodesSuite('@oxidizedvision/server', SERVER_ERROR_CODES);
