package ai.bayeslora.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.model.ModelConfig;
import org.junit.jupiter.api.Test;

class BenchDeviceTest {
    @Test
    void mistral7bShapeHasMistral7BsParameterCount() {
        ModelConfig c = BenchDevice.shape("mistral7b", 12);
        // Mistral-7B-v0.1 as published: 7,241,732,096 parameters (untied embedding and head)
        assertThat(c.parameterCount()).isEqualTo(7_241_732_096L);
        assertThat(c.numLayers()).isEqualTo(32);
        assertThat(c.numKvHeads()).isEqualTo(8);
    }

    @Test
    void unknownShapeIsNamed() {
        assertThatThrownBy(() -> BenchDevice.shape("gpt5", 12)).hasMessageContaining("'gpt5'")
                .hasMessageContaining("mistral7b");
    }
}
