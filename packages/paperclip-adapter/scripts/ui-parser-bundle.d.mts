import type { BuildOptions } from "esbuild";
export declare const UI_PARSER_MAX_BYTES: number;
export declare function uiParserBuildOptions(extra?: BuildOptions): BuildOptions;
export declare function uiParserBundleProblems(text: string): string[];
