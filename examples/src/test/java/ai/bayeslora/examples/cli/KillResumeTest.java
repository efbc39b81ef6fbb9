package ai.bayeslora.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.data.BundledData;
import ai.bayeslora.core.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train-ensemble} killed with SIGKILL at random points, some of them while a checkpoint is being written,
 * then resumed with {@code --resume} until it finishes, ends with the same adapter bytes as a run that was never
 * interrupted (docs/DEVELOPING.md, "Output safety"). CI runs {@value #CI_TRIALS} kills;
 * {@code -Dbayeslora.killtest.trials=N} runs more.
 */
class KillResumeTest {
    static final int CI_TRIALS = 3;
    @TempDir
    static Path tmp;
    private static Path data;
    private static Path reference;

    private static List<String> args(Path out, boolean resume) {
        List<String> a = new ArrayList<>(List.of("train-ensemble", "--model", Fixtures.model("tiny-llama").toString(),
                "--device", "cpu", "--train", data.toString(), "--members", "2", "--epochs", "3", "--lr", "3e-3",
                "--train-batch-size", "8", "--dropout", "0.1", "--out", out.toString()));
        if (resume) {
            a.add("--resume");
        }
        return a;
    }

    private static int logs;

    private static Process start(List<String> cliArgs) throws IOException {
        return start(cliArgs, tmp.resolve("child-" + logs++ + ".log"));
    }

    private static Process start(List<String> cliArgs, Path log) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-Xmx1g", "-cp",
                System.getProperty("java.class.path")));
        String ext = System.getProperty("org.bytedeco.javacpp.platform.extension", "");
        if (!ext.isEmpty()) {
            cmd.add("-Dorg.bytedeco.javacpp.platform.extension=" + ext);
        }
        cmd.add(BayesLoraCli.class.getName());
        cmd.addAll(cliArgs);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void runToEnd(List<String> cliArgs) throws Exception {
        Path log = tmp.resolve("child-" + logs++ + ".log");
        Process p = start(cliArgs, log);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("finished").isTrue();
        if (p.exitValue() != 0) {
            List<String> lines = Files.readAllLines(log);
            throw new AssertionError("exit code " + p.exitValue() + " of " + cliArgs + "; last output:\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())));
        }
    }

    @BeforeAll
    static void uninterrupted() throws Exception {
        data = tmp.resolve("train.jsonl");
        WorkflowCliTest.writeJsonl(data, BundledData.syntheticMcqaTrain(), 48, true);
        reference = tmp.resolve("reference");
        runToEnd(args(reference, false));
    }

    /** Whether a checkpoint write is in progress: a hidden temporary sibling of an epoch folder exists. */
    private static boolean writing(Path out) {
        Path ens = out.resolve("ensemble");
        if (!Files.isDirectory(ens)) {
            return false;
        }
        try (Stream<Path> s = Files.walk(ens, 2)) {
            return s.anyMatch(p -> p.getFileName().toString().matches("\\.epoch-\\d+\\.tmp-.*"));
        } catch (IOException | java.io.UncheckedIOException e) {
            return false; // the tree changed while walking it
        }
    }

    @Test
    void killedRunsResumeToTheUninterruptedBytes() throws Exception {
        int trials = Integer.getInteger("bayeslora.killtest.trials", CI_TRIALS);
        SplittableRandom rng = new SplittableRandom(Long.getLong("bayeslora.killtest.seed", 5));
        int duringWrites = 0;
        for (int t = 0; t < trials; t++) {
            Path out = tmp.resolve("run-" + t);
            Process p = start(args(out, false));
            boolean atWrite = t % 2 == 1; // every other trial is killed in the middle of a checkpoint write
            long deadline = System.nanoTime() + (long) (rng.nextDouble() * 6e9) + 1_500_000_000L;
            boolean killedAtWrite = false;
            while (p.isAlive() && System.nanoTime() < deadline + (atWrite ? 20_000_000_000L : 0)) {
                if (atWrite ? writing(out) : System.nanoTime() >= deadline) {
                    killedAtWrite = atWrite;
                    break;
                }
                Thread.sleep(atWrite ? 0 : 5);
            }
            p.destroyForcibly(); // SIGKILL: no shutdown hooks, no finally blocks
            p.waitFor();
            duringWrites += killedAtWrite ? 1 : 0;
            runToEnd(args(out, true));
            for (int m = 0; m < 2; m++) {
                String member = String.format("ensemble-final/member-%02d/adapter_model.safetensors", m);
                assertThat(Files.readAllBytes(out.resolve(member))).as("trial " + t + " " + member)
                        .isEqualTo(Files.readAllBytes(reference.resolve(member)));
            }
            try (Stream<Path> s = Files.walk(out)) {
                assertThat(s.map(x -> x.getFileName().toString()).filter(n -> n.matches("\\..*\\.(tmp|old)-.*")))
                        .as("no leftovers of interrupted writes after the resumed run, trial " + t).isEmpty();
            }
        }
        System.out.println("kill-and-resume: " + trials + " trials, " + duringWrites + " killed during a checkpoint "
                + "write, all byte-identical to the uninterrupted run");
    }

}
