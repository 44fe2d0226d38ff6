export declare const CLI_VERSION: string;
export declare const EXTRA_API_SCENARIOS: Record<string, unknown>;
export declare const CORPUS: ReadonlyArray<{
  name: string;
  row: number | string | null;
  api: string;
  args?: string[];
  auth?: "api-key" | "oauth";
  resumeOf?: string;
  resumeMissing?: boolean;
  expect: { status: string; errorCode: string | null; errorFamily?: string | null; clearSession?: boolean };
}>;
