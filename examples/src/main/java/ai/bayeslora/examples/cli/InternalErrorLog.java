package ai.bayeslora.examples.cli;

import ai.bayeslora.core.io.AtomicOutput;
import ai.bayeslora.core.io.ResourceCache;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Writes the stack trace of an unexpected error to a log file, so the terminal gets one line and a path. */
final class InternalErrorLog {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);

    private InternalErrorLog() {
    }

    /**
     * Writes {@code ex}'s stack trace, the arguments and the JVM to {@code <cache>/logs/} (the temporary folder if
     * that fails).
     *
     * @return "the stack trace is in FILE", or why it could not be written
     */
    static String write(Throwable ex, String[] args) {
        StringWriter text = new StringWriter();
        try (PrintWriter w = new PrintWriter(text)) {
            w.println("bayeslora " + String.join(" ", args));
            w.println("java " + System.getProperty("java.version") + " " + System.getProperty("os.name") + " "
                    + System.getProperty("os.arch") + ", " + Instant.now());
            w.println();
            ex.printStackTrace(w);
        }
        String name = "internal-error-" + STAMP.format(Instant.now()) + "-" + ProcessHandle.current().pid() + ".log";
        for (Path dir : new Path[] {ResourceCache.root().resolve("logs"), Path.of(System.getProperty("java.io.tmpdir"))}) {
            try {
                Path file = dir.resolve(name);
                AtomicOutput.writeString(file, text.toString());
                return "the stack trace is in " + file;
            } catch (RuntimeException e) {
                // try the next folder
            }
        }
        return "the stack trace could not be written to a file";
    }
}
