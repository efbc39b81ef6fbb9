package ai.bayeslora.core.text.internal;

import ai.djl.huggingface.tokenizers.jni.LibUtils;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads DJL's tokenizer native library once per JVM without DJL's in-process CUDA probe.
 *
 * <p>DJL 0.38's {@code LibUtils} static initialiser calls {@code Platform.detectPlatform("tokenizers")}, which asks
 * {@code CudaUtils.getGpuCount()} twice (for the system platform and for the jar's {@code tokenizers.properties}) to
 * pick a native build; on a machine with a CUDA runtime but an older or no driver each call warns "Failed to detect GPU
 * count". DJL has no switch to skip the probe ({@code RUST_LIBRARY_PATH} is read only after it), but with the
 * DJL-specific system property {@value #FORK} set, {@code getGpuCount} runs the probe in a child JVM
 * ({@code java -cp <java.class.path> ai.djl.util.cuda.CudaUtils}) whose {@code main} turns that logging off, and reads
 * the same GPU count, CUDA version and compute capability from its output: GPU machines detect exactly what they did
 * before. The property is set only for the duration of the native load and only when the user has not set it, and
 * only when the child can run and answer cleanly (DJL, JNA and SLF4J on the JVM's class path, no
 * {@code JAVA_TOOL_OPTIONS}-like variable); otherwise DJL probes in process as before. The child costs one short JVM start per process.
 */
public final class TokenizerNatives {
    /** DJL's switch that moves {@code CudaUtils}' probe into a child JVM. */
    static final String FORK = "ai.djl.util.cuda.fork";

    private static boolean loaded;

    private TokenizerNatives() {
    }

    /** Initialises DJL's {@code LibUtils} (which loads the native library) once; later calls do nothing. */
    public static synchronized void load() {
        if (loaded) {
            return;
        }
        boolean fork = System.getProperty(FORK) == null && childCanProbe();
        if (fork) {
            System.setProperty(FORK, "true");
        }
        try {
            Class.forName(LibUtils.class.getName(), true, LibUtils.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("DJL's tokenizer classes are missing", e);
        } finally {
            if (fork) {
                System.clearProperty(FORK);
            }
        }
        loaded = true;
    }

    /**
     * Whether {@code java -cp <java.class.path> ai.djl.util.cuda.CudaUtils} can run and print only its answer: the
     * child sees only that path, and DJL parses its stdout and stderr together, so the launcher's "Picked up
     * JAVA_TOOL_OPTIONS" note would make it warn "Unexpected output".
     */
    static boolean childCanProbe() {
        for (String variable : new String[] {"JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS"}) {
            if (System.getenv(variable) != null) {
                return false;
            }
        }
        ClassLoader system = ClassLoader.getSystemClassLoader();
        String home = System.getProperty("java.home");
        return home != null
                && Files.isExecutable(Path.of(home, "bin", isWindows() ? "java.exe" : "java"))
                && system.getResource("ai/djl/util/cuda/CudaUtils.class") != null
                && system.getResource("com/sun/jna/Native.class") != null
                && system.getResource("org/slf4j/LoggerFactory.class") != null;
    }

    private static boolean isWindows() {
        return System.getProperty("os.name", "").startsWith("Win");
    }
}
