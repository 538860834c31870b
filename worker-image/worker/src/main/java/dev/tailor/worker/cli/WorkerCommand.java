package dev.tailor.worker.cli;

/** A subcommand with the shared {@link OutputOptions}. */
interface WorkerCommand {
  OutputOptions outputOptions();
}
