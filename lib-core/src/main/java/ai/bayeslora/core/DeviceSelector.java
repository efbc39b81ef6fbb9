package ai.bayeslora.core;

import java.util.Locale;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch_cuda;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the compute device from a request ({@code auto}, {@code cpu}, {@code cuda}, {@code cuda:N}) and logs one
 * line naming the choice and the reason.
 *
 * <p>CUDA detection first loads the {@code torch_cuda} natives: with a fresh JavaCPP cache, {@code cuda_is_available()}
 * otherwise reports false on the first run (docs/JAVACPP-PYTORCH.md, "GPU").
 */
public final class DeviceSelector {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceSelector.class);

    /** What the selector needs to know about CUDA; replaceable in tests. */
    public interface CudaProbe {
        /** {@return the number of usable CUDA devices; 0 when none} */
        int deviceCount();

        /**
         * Why CUDA is unusable, or null when it is usable.
         *
         * @return the reason, for the error message of an explicit CUDA request
         */
        String unavailableReason();
    }

    private final CudaProbe probe;

    /**
     * A selector with a given probe (tests pass a fake one).
     *
     * @param probe what CUDA reports
     */
    public DeviceSelector(CudaProbe probe) {
        this.probe = probe;
    }

    /** {@return a selector that probes the real libtorch CUDA runtime} */
    public static DeviceSelector system() {
        return new DeviceSelector(new LibtorchCudaProbe());
    }

    /**
     * Selects with the real probe; see {@link #choose(String)}.
     *
     * @param request {@code auto} (CUDA if usable, else CPU), {@code cpu}, {@code cuda} or {@code cuda:N}
     * @return the chosen device
     */
    public static ComputeDevice select(String request) {
        return system().choose(request);
    }

    /**
     * Resolves a device request.
     *
     * @param request {@code auto} (CUDA if usable, else CPU), {@code cpu}, {@code cuda} or {@code cuda:N}
     * @return the chosen device, with the reason it was chosen
     * @throws DeviceUnavailableException if CUDA was requested explicitly and is not usable
     */
    public ComputeDevice choose(String request) {
        String r = request == null ? "auto" : request.trim().toLowerCase(Locale.ROOT);
        ComputeDevice chosen;
        if (r.equals("cpu")) {
            chosen = ComputeDevice.cpu();
        } else if (r.equals("auto")) {
            String why = probe.unavailableReason();
            if (why == null && probe.deviceCount() > 0) {
                chosen = new ComputeDevice(ComputeDevice.Kind.CUDA, 0, DType.BFLOAT16,
                        "auto: CUDA available with " + probe.deviceCount() + " device(s)");
            } else {
                chosen = new ComputeDevice(ComputeDevice.Kind.CPU, 0, DType.FLOAT32,
                        "auto: no CUDA (" + (why == null ? "0 devices" : why) + ")");
            }
        } else if (r.equals("cuda") || r.startsWith("cuda:")) {
            int index = parseIndex(request, r);
            String why = probe.unavailableReason();
            if (why != null) {
                throw new DeviceUnavailableException("device '" + request + "' requested but CUDA is unusable: " + why
                        + ". Build with the gpu Maven profile (-Pgpu), or as a library user depend on"
                        + " ai.bayeslora:bayeslora-natives-linux-x86_64-cuda (README, \"Platforms and GPU\"), and run"
                        + " with -Dorg.bytedeco.javacpp.platform.extension=-gpu, or use --device cpu.");
            }
            int count = probe.deviceCount();
            if (index >= count) {
                throw new DeviceUnavailableException("device '" + request + "' requested but only " + count
                        + " CUDA device(s) are visible");
            }
            chosen = new ComputeDevice(ComputeDevice.Kind.CUDA, index, DType.BFLOAT16, "requested " + r);
        } else {
            throw new IllegalArgumentException("unknown device '" + request + "'; expected auto, cpu, cuda or cuda:N");
        }
        LOG.info("Compute device: {} ({})", chosen, chosen.reason());
        return chosen;
    }

    private static int parseIndex(String original, String r) {
        if (r.equals("cuda")) {
            return 0;
        }
        try {
            return Integer.parseInt(r.substring("cuda:".length()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad device '" + original + "'; expected cuda:N with an integer N", e);
        }
    }

    /**
     * Why loading the CUDA natives failed, from the error and the JVM's JavaCPP platform extension: a CPU build (no
     * {@code -gpu} extension), a missing NVIDIA driver ({@code libcuda.so.1}), a missing CUDA runtime library, or the
     * loader's own message.
     *
     * @param t what {@code Loader.load(torch_cuda.class)} threw
     * @param extension the value of {@code org.bytedeco.javacpp.platform.extension}
     * @return a sentence for the user
     */
    static String cudaLoadFailure(Throwable t, String extension) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage()).append("; ");
        }
        String msg = all.toString();
        if (!"-gpu".equals(extension)) {
            return "CUDA natives are not loaded: this JVM uses the CPU natives (start it with"
                    + " -Dorg.bytedeco.javacpp.platform.extension=-gpu after a -Pgpu build, or with"
                    + " bayeslora-natives-linux-x86_64-cuda on the class path)";
        }
        if (msg.contains("libcuda.so")) {
            return "the NVIDIA driver library libcuda.so.1 was not found: no driver on this machine, or not on the"
                    + " library path (" + msg.trim() + ")";
        }
        java.util.regex.Matcher lib = java.util.regex.Pattern.compile("(lib(cudart|cublas|cublasLt|cudnn|nvrtc|nccl|"
                + "cusparse|cufft|curand|cusolver)[\\w.]*\\.so[\\w.]*)").matcher(msg);
        if (lib.find()) {
            return "the CUDA library " + lib.group(1) + " was not found: the gpu build needs the CUDA runtime its"
                    + " natives were built for (README, \"GPU\") (" + msg.trim() + ")";
        }
        if (msg.contains("no jni") || msg.contains("Could not find") || msg.contains("UnsatisfiedLinkError")) {
            return "the -gpu natives are not on the classpath (build with -Pgpu): " + msg.trim();
        }
        return "could not load the CUDA natives: " + msg.trim();
    }

    /** Probes libtorch, loading the CUDA natives first. */
    static final class LibtorchCudaProbe implements CudaProbe {
        private String reason;
        private int count;
        private boolean probed;

        private synchronized void probe() {
            if (probed) {
                return;
            }
            probed = true;
            try {
                Loader.load(torch.class);
                try {
                    Loader.load(torch_cuda.class);
                } catch (Throwable t) {
                    reason = cudaLoadFailure(t, System.getProperty("org.bytedeco.javacpp.platform.extension", ""));
                    return;
                }
                if (!torch.cuda_is_available()) {
                    reason = "libtorch reports cuda_is_available() == false";
                    return;
                }
                count = torch.cuda_device_count();
            } catch (Throwable t) {
                reason = "probe failed: " + t.getMessage();
            }
        }

        @Override
        public int deviceCount() {
            probe();
            return count;
        }

        @Override
        public String unavailableReason() {
            probe();
            return reason;
        }
    }
}
