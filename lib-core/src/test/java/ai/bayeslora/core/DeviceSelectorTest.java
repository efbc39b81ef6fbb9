package ai.bayeslora.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Device selection logic against fake CUDA probes (no GPU here). */
class DeviceSelectorTest {

    private static DeviceSelector.CudaProbe probe(int count, String reason) {
        return new DeviceSelector.CudaProbe() {
            @Override
            public int deviceCount() {
                return count;
            }

            @Override
            public String unavailableReason() {
                return reason;
            }
        };
    }

    @Test
    void autoPicksCudaWithBf16WhenAvailable() {
        ComputeDevice d = new DeviceSelector(probe(2, null)).choose("auto");
        assertThat(d.isCuda()).isTrue();
        assertThat(d.index()).isZero();
        assertThat(d.dtype()).isEqualTo(DType.BFLOAT16);
        assertThat(d.reason()).contains("CUDA available").contains("2 device");
    }

    @Test
    void autoFallsBackToCpuFp32AndSaysWhy() {
        ComputeDevice d = new DeviceSelector(probe(0, "CUDA natives not on the classpath (CPU build)")).choose("auto");
        assertThat(d.isCuda()).isFalse();
        assertThat(d.dtype()).isEqualTo(DType.FLOAT32);
        assertThat(d.reason()).contains("CPU build");
    }

    @Test
    void explicitCudaIndexIsCheckedAgainstDeviceCount() {
        DeviceSelector s = new DeviceSelector(probe(2, null));
        assertThat(s.choose("cuda:1").index()).isEqualTo(1);
        assertThat(s.choose("CUDA").name()).isEqualTo("cuda:0");
        assertThatThrownBy(() -> s.choose("cuda:2")).isInstanceOf(DeviceUnavailableException.class)
                .hasMessageContaining("only 2 CUDA device");
    }

    @Test
    void explicitCudaWithoutCudaFailsWithHowToFix() {
        DeviceSelector s = new DeviceSelector(probe(0, "libtorch reports cuda_is_available() == false"));
        assertThatThrownBy(() -> s.choose("cuda")).isInstanceOf(DeviceUnavailableException.class)
                .hasMessageContaining("-Pgpu").hasMessageContaining("cuda_is_available");
    }

    @Test
    void cpuAndBadRequests() {
        DeviceSelector s = new DeviceSelector(probe(1, null));
        assertThat(s.choose("cpu").isCuda()).isFalse();
        assertThatThrownBy(() -> s.choose("tpu")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("auto, cpu, cuda");
        assertThatThrownBy(() -> s.choose("cuda:x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void realProbeOnThisMachineChoosesSomethingAndNeverThrowsForAuto() {
        ComputeDevice d = DeviceSelector.select("auto");
        assertThat(d.reason()).isNotBlank();
        if (!d.isCuda()) {
            assertThat(d.dtype()).isEqualTo(DType.FLOAT32);
        }
    }

    @Test
    void dtypeNames() {
        assertThat(DType.parse("bf16")).isEqualTo(DType.BFLOAT16);
        assertThat(DType.parse("torch.float16")).isEqualTo(DType.FLOAT16);
        assertThat(DType.parse("float64")).isEqualTo(DType.FLOAT64);
        assertThatThrownBy(() -> DType.parse("int8")).hasMessageContaining("float32, float64, bfloat16, float16");
    }

    @Test
    void cudaLoadFailuresNameTheirRealCause() {
        assertThat(DeviceSelector.cudaLoadFailure(new UnsatisfiedLinkError("no jnitorch_cuda in java.library.path"), ""))
                .contains("CPU natives").contains("-Dorg.bytedeco.javacpp.platform.extension=-gpu");
        assertThat(DeviceSelector.cudaLoadFailure(new RuntimeException("load failed", new UnsatisfiedLinkError(
                "/root/.javacpp/cache/libjnitorch_cuda.so: libcuda.so.1: cannot open shared object file")), "-gpu"))
                .startsWith("the NVIDIA driver library libcuda.so.1 was not found");
        assertThat(DeviceSelector.cudaLoadFailure(new UnsatisfiedLinkError(
                "libcudnn.so.9: cannot open shared object file: No such file or directory"), "-gpu"))
                .startsWith("the CUDA library libcudnn.so.9 was not found");
        assertThat(DeviceSelector.cudaLoadFailure(new UnsatisfiedLinkError("no jnitorch_cuda in java.library.path"),
                "-gpu")).startsWith("the -gpu natives are not on the classpath");
    }
}
