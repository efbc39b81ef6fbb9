package ai.bayeslora.examples.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.Pointer;

/** Process memory readings: resident set (JavaCPP's physicalBytes) and the kernel's peak (VmHWM). */
public final class NativeMemory {
    private NativeMemory() {
    }

    /** Current resident set size in bytes. */
    public static long rss() {
        return Pointer.physicalBytes();
    }

    /** Peak resident set size since process start (Linux VmHWM), or -1 where unavailable. */
    public static long peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    public static double mb(long bytes) {
        return bytes / 1048576.0;
    }
}
