package ai.bayeslora.lora.ensemble;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.lora.LoraConfig;
import ai.bayeslora.lora.train.TrainingConfig;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link EnsembleTrainer#trainMember}'s refusals, before any model work. What it trains is covered by every
 * SEQUENTIAL test ({@link EnsembleTrainerTest}: train and resume call it per member) and by lib-spark's tests.
 */
class TrainMemberTest {
    private final EnsembleTrainer trainer = new EnsembleTrainer(LoraConfig.builder().build(),
            TrainingConfig.defaults(), 2, 0);

    @Test
    void interleavedMembersCannotTrainAlone() {
        trainer.mode(EnsembleTrainingMode.INTERLEAVED);
        assertThatThrownBy(() -> trainer.trainMember(0, null, null, null, Optional.empty(), null, false))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("INTERLEAVED");
    }

    @Test
    void theMemberIndexIsChecked() {
        assertThatThrownBy(() -> trainer.trainMember(2, null, null, null, Optional.empty(), null, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("member 2 of an ensemble of 2");
    }
}
