package ai.bayeslora.lora.train.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.lora.train.LearningRateSchedule;
import ai.bayeslora.lora.train.OptimizerConfig;
import ai.bayeslora.lora.train.Prior;
import ai.bayeslora.lora.train.TrainingConfig;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ConfigJson#parse} inverts {@link ConfigJson#of}, through JSON text, for every field and variant. */
class ConfigJsonTest {
    @Test
    void everyFieldRoundTrips() throws Exception {
        TrainingConfig allSet = TrainingConfig.builder().optimizer(new OptimizerConfig.Sgd(0.9, true))
                .learningRate(3.7e-5).schedule(new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 3, 0.25))
                .maxGradNorm(0.3).gradientAccumulationSteps(2).batchSize(5).evalBatchSize(7).epochs(9).maxSteps(123)
                .seed(-42).reduction(ClassReduction.FULL_VOCAB_WITH_OTHER).prior(new Prior.Gaussian(0.125))
                .earlyStoppingPatience(2).checkpointEveryEpoch(false).maxLength(77).progressBar(false).build();
        List<TrainingConfig> configs = List.of(TrainingConfig.defaults(), TrainingConfig.balabanov2024(), allSet,
                allSet.toBuilder().optimizer(new OptimizerConfig.AdamW(0.8, 0.95, 1e-7, 0.01))
                        .prior(new Prior.LoraProduct(0.5)).schedule(LearningRateSchedule.constant()).noGradClipping()
                        .noMaxSteps().noEarlyStopping().build(),
                allSet.toBuilder().prior(Prior.none()).schedule(LearningRateSchedule.linear(4)).build());
        ObjectMapper json = new ObjectMapper();
        for (TrainingConfig c : configs) {
            assertThat(ConfigJson.parse(json.readTree(ConfigJson.of(c).toString()))).isEqualTo(c);
        }
    }

    @Test
    void aMissingFieldIsNamed() throws Exception {
        var node = ConfigJson.of(TrainingConfig.defaults());
        node.remove("learning_rate");
        assertThatThrownBy(() -> ConfigJson.parse(node)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("learning_rate");
    }
}
