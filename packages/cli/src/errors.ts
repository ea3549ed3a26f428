/** The codes only the CLI raises; output/errors.ts maps every code to an exit status. */
export const CLI_ERROR_CODES = {
  ERR_LISTEN: 'The server could not listen on the requested host and port (in use, or not permitted).',
} as const;

declare module '@oxidizedvision/runtime' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- merges the CLI's codes into ErrorCode
  interface OxvErrorCodeMap extends Record<keyof typeof CLI_ERROR_CODES, true> {}
}
