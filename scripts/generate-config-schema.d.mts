/** Types for generate-config-schema.mjs, so TypeScript tests can import it. */
export declare const SCHEMA_FILE: string;
export declare function renderConfigSchema(): string;
