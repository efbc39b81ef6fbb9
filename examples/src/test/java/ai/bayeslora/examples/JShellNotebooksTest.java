package ai.bayeslora.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs each JShell notebook in examples/jshell non-interactively, with the test classpath (the same jars
 * {@code ./bayeslora jshell} uses), and fails on any JShell error or exception.
 */
class JShellNotebooksTest {

    @ParameterizedTest
    @ValueSource(strings = {"metrics.jsh", "custom-posterior.jsh", "quickstart.jsh"})
    void notebookRunsCleanly(String name) throws IOException, InterruptedException {
        Path root = Path.of("").toAbsolutePath().getParent(); // surefire runs in examples/
        Path notebook = root.resolve("examples/jshell").resolve(name);
        if (!Files.exists(notebook)) {
            throw new AssertionError("missing notebook " + notebook);
        }
        Path jshell = Path.of(System.getProperty("java.home"), "bin", "jshell");
        List<String> cmd = new ArrayList<>(List.of(jshell.toString(), "--class-path",
                System.getProperty("java.class.path"), "-R-Xmx2g", "-R-Djava.awt.headless=true",
                "-R-Dbayeslora.quickstart.fast=true"));
        // the child JVM loads the same natives as this one (the gpu profile's -gpu extension)
        String ext = System.getProperty("org.bytedeco.javacpp.platform.extension", "");
        if (!ext.isEmpty()) {
            cmd.add("-R-Dorg.bytedeco.javacpp.platform.extension=" + ext);
        }
        cmd.add(notebook.toString());
        Process p = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        boolean done = p.waitFor(10, TimeUnit.MINUTES);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!done) {
            p.destroyForcibly();
            throw new AssertionError(name + " timed out:\n" + out);
        }
        assertThat(out).as(name + " output").doesNotContain("|  Error:").doesNotContain("Exception")
                .doesNotContain("cannot find symbol");
        assertThat(p.exitValue()).as(name + " exit code, output:\n" + out).isZero();
        assertThat(out).as(name).containsPattern("ECE\\(15");
    }
}
