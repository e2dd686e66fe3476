import type { BuildOptions } from "esbuild";

export declare const ROOT: string;
export declare const ENTRY_POINTS: Readonly<Record<"cli" | "demo" | "server" | "action", string>>;
export declare function buildOptions(entryPoints?: Record<string, string>, outdir?: string): BuildOptions;
export declare const LIBRARY_ENTRY_POINTS: Readonly<Record<string, string>>;
export declare function libraryOptions(entryPoints?: Record<string, string>, outdir?: string): BuildOptions;
