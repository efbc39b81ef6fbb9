package ai.bayeslora.examples.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --out DIR} of the benchmarks, where the JSON results go; {@code --out-dir} is the hidden old name. */
final class BenchOutOption {
    /** The results folder; default {@code bench-results}. */
    @Option(names = "--out", paramLabel = "DIR",
            description = "Folder for the JSON results (default: ${DEFAULT-VALUE}).")
    Path dir = Path.of("bench-results");

    /** The old name, still accepted. */
    @Option(names = "--out-dir", paramLabel = "DIR", hidden = true, description = "Deprecated: the old name of --out.")
    void outDir(Path p) {
        Deprecation.note("--out-dir", "--out");
        dir = p;
    }

    /** The file {@code name} in the results folder. */
    Path resolve(String name) {
        return dir.resolve(name);
    }
}
