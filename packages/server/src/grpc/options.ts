import { Type } from '@sinclair/typebox';
import { createValidator, issuesError } from '@oxidizedvision/runtime/schema';
import { DEFAULT_HOST } from '../options.js';

/** Where startGrpcServer listens. */
export interface GrpcServerOptions {
  /** Interface to bind; default 127.0.0.1 (the CLI passes the HTTP server's --host). */
  host?: string;
  /** Port; 0 (the default) picks any free one, which `port` on the result then reports. */
  port?: number;
}

export interface ResolvedGrpcOptions {
  readonly host: string;
  readonly port: number;
}

const GrpcOptionsSchema = Type.Object(
  {
    host: Type.Optional(Type.String({ minLength: 1 })),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  },
  { additionalProperties: false },
);

const validateGrpcOptions = createValidator(GrpcOptionsSchema, { root: 'options' });

/** Validates startGrpcServer's options once, fills defaults, and freezes the result. */
export function resolveGrpcOptions(options: GrpcServerOptions = {}): ResolvedGrpcOptions {
  const issues = validateGrpcOptions(options);
  if (issues.length > 0) throw issuesError('ERR_OPTIONS_INVALID', 'Invalid startGrpcServer options', issues);
  return Object.freeze({ host: options.host ?? DEFAULT_HOST, port: options.port ?? 0 });
}
