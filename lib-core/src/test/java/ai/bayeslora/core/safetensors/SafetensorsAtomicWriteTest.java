package ai.bayeslora.core.safetensors;

import static ai.bayeslora.core.safetensors.SafetensorsTestSupport.readBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.BayesLoraException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed write leaves the previous file untouched and no temporary file behind. */
@SuppressWarnings("try") // PointerScopes are used for their side effect
class SafetensorsAtomicWriteTest {
    @TempDir
    Path dir;
    Path target;
    byte[] original;

    @BeforeEach
    void writeOriginal() {
        target = dir.resolve("model.safetensors");
        SafetensorsWriter.writeRaw(target,
                Map.of("old", new RawTensor(SafetensorsDType.U8, new long[] {3}, new byte[] {1, 2, 3})),
                Map.of("version", "1"));
        original = readBytes(target);
    }

    private List<String> folderContents() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    private void assertOriginalIntact() throws IOException {
        assertThat(folderContents()).containsExactly("model.safetensors");
        assertThat(readBytes(target)).isEqualTo(original);
        try (SafetensorsFile f = SafetensorsFile.open(target)) {
            assertThat(f.names()).containsExactly("old");
            assertThat(f.metadata()).containsEntry("version", "1");
        }
    }

    @Test
    void undefinedTensorFailsBeforeTouchingTheTarget() throws IOException {
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> in = new LinkedHashMap<>();
            in.put("good", torch.ones(2, 2));
            in.put("undefined", new Tensor());
            assertThatThrownBy(() -> SafetensorsWriter.write(target, in, Map.of()))
                    .isInstanceOf(BayesLoraException.class)
                    .hasMessageContainingAll(target.toString(), "'undefined'", "undefined");
        }
        assertOriginalIntact();
    }

    @Test
    void failureWhileStreamingDataRemovesTheTemporaryFile() throws IOException {
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> in = new LinkedHashMap<>();
            in.put("a_good", torch.ones(4, 4));
            // A meta tensor has a dtype and shape (so the header is written) but no data to copy.
            in.put("m_meta", torch.empty(new long[] {2, 2}, new TensorOptions(new Device("meta")), null));
            assertThatThrownBy(() -> SafetensorsWriter.write(target, in, Map.of()))
                    .isInstanceOf(BayesLoraException.class)
                    .hasMessageContainingAll(target.toString(), "'m_meta'");
        }
        assertOriginalIntact();
    }

    @Test
    void unsupportedDtypeIsRejectedWithTheTensorName() throws IOException {
        try (PointerScope scope = new PointerScope()) {
            Tensor complex = torch.ones(new long[] {2}, new TensorOptions(torch.ScalarType.ComplexFloat));
            assertThatThrownBy(() -> SafetensorsWriter.write(target, Map.of("z", complex), Map.of()))
                    .isInstanceOf(BayesLoraException.class)
                    .hasMessageContainingAll(target.toString(), "'z'", "ComplexFloat");
        }
        assertOriginalIntact();
    }

    @Test
    void successfulWriteReplacesTheTargetAndLeavesNoTemporaryFile() throws IOException {
        try (PointerScope scope = new PointerScope()) {
            SafetensorsWriter.write(target, Map.of("new", torch.ones(3)), Map.of("version", "2"));
        }
        assertThat(folderContents()).containsExactly("model.safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(target)) {
            assertThat(f.names()).containsExactly("new");
            assertThat(f.metadata()).containsEntry("version", "2");
        }
    }

    @Test
    void missingFolderIsNamed() {
        Path nowhere = dir.resolve("no-such-folder").resolve("x.safetensors");
        assertThatThrownBy(() -> SafetensorsWriter.writeRaw(nowhere, Map.of(), Map.of()))
                .isInstanceOf(BayesLoraException.class)
                .hasMessageContaining(nowhere.getParent().toString());
    }
}
