/** The content-addressed prompt bundle (skills + instructions) prepared on the shared volume, if any. */
export interface PromptBundleRef {
  /** Passed as `--add-dir`. */
  readonly rootDir: string;
  /** The bundle's copy of the instructions file; preferred over `config.instructionsFilePath`. */
  readonly instructionsFilePath?: string | null;
}
