package ai.bayeslora.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * The one process-wide setting, libtorch's intra-op thread count, in fresh JVMs (it is applied once per JVM): the
 * default sets 1, {@code keep} leaves the application's value, a number sets it, anything else is a one-line error
 * naming the property.
 */
class NativeRuntimeTest {
    /** Sets libtorch to 3 threads as an application would, runs configure(), prints the count or the error. */
    public static void main(String[] args) {
        Loader.load(torch.class);
        torch.set_num_threads(3);
        try {
            NativeRuntime.configure();
            System.out.println("threads=" + torch.get_num_threads());
        } catch (BayesLoraException e) {
            System.out.println("error=" + e.getMessage());
        }
    }

    private static String run(String property) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path")));
        if (property != null) {
            cmd.add("-Dbayeslora.intraOpThreads=" + property);
        }
        cmd.add(NativeRuntimeTest.class.getName());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("OMP_NUM_THREADS");
        Process p = pb.start();
        String out;
        try (var in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return out.substring(out.lastIndexOf('\n') + 1);
    }

    @Test
    void threadPolicyInFreshJvms() throws Exception {
        assertThat(run(null)).isEqualTo("threads=1");
        assertThat(run("keep")).isEqualTo("threads=3");
        assertThat(run("2")).isEqualTo("threads=2");
        assertThat(run("two")).isEqualTo("error=system property bayeslora.intraOpThreads must be a positive number "
                + "of threads or 'keep', got 'two'");
    }
}
