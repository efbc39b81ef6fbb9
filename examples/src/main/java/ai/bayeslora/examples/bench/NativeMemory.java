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

    /** Bytes in MiB. */
    public static double mb(long bytes) {
        return bytes / 1048576.0;
    }

    /** Peak resident set while {@code work} runs: allocator trimmed first, sampled every millisecond. */
    public static long peakDuring(Runnable work) {
        System.gc();
        Pointer.trimMemory();
        long[] peak = {NativeMemory.rss()};
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak[0] = Math.max(peak[0], NativeMemory.rss());
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "rss-sampler");
        sampler.setDaemon(true);
        sampler.start();
        try {
            work.run();
        } finally {
            sampler.interrupt();
            try {
                sampler.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return Math.max(peak[0], NativeMemory.rss());
    }

}
