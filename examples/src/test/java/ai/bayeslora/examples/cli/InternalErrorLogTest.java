package ai.bayeslora.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An unexpected error leaves its stack trace in a log file, and the terminal gets the path. */
class InternalErrorLogTest {
    @TempDir
    Path tmp;

    @Test
    void theStackTraceGoesToALogFileUnderTheCache() throws Exception {
        String old = System.getProperty(ai.bayeslora.core.io.ResourceCache.PROPERTY);
        System.setProperty(ai.bayeslora.core.io.ResourceCache.PROPERTY, tmp.toString());
        try {
            String said = InternalErrorLog.write(new IllegalStateException("boom"), new String[] {"predict", "--x"});
            assertThat(said).startsWith("the stack trace is in " + tmp.resolve("logs"));
            Path file = Path.of(said.substring("the stack trace is in ".length()));
            assertThat(Files.readString(file)).contains("bayeslora predict --x").contains("IllegalStateException: boom")
                    .contains("InternalErrorLogTest");
        } finally {
            if (old == null) {
                System.clearProperty(ai.bayeslora.core.io.ResourceCache.PROPERTY);
            } else {
                System.setProperty(ai.bayeslora.core.io.ResourceCache.PROPERTY, old);
            }
        }
        assertThat(BayesLoraCli.isUserError(new java.io.UncheckedIOException(new java.io.IOException("x")))).isTrue();
        assertThat(BayesLoraCli.isUserError(new NullPointerException())).isFalse();
    }
}
