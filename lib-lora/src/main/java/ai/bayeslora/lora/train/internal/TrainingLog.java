package ai.bayeslora.lora.train.internal;

import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.McqaExample;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** The per-epoch metrics file of a run, and the training-data fingerprint stored in checkpoints. */
public final class TrainingLog {
    /** File with the per-epoch metrics of a run, next to its checkpoints. */
    public static final String METRICS_FILE = "training_metrics.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TrainingLog() {
    }

    /** {@code {"best_epoch": b, "epochs": [{epoch, global_step, train_loss, ...}, ...]}} */
    public static String json(List<TrainerState.EpochRecord> history, int bestEpoch) {
        ObjectNode o = JSON.createObjectNode();
        o.put("best_epoch", bestEpoch > 0 ? bestEpoch : history.isEmpty() ? 0 : history.get(history.size() - 1).epoch());
        ArrayNode epochs = o.putArray("epochs");
        for (TrainerState.EpochRecord r : history) {
            ObjectNode e = epochs.addObject();
            e.put("epoch", r.epoch()).put("global_step", r.globalStep()).put("train_loss", r.trainLoss())
                    .put("train_accuracy", r.trainAccuracy());
            if (r.validationNll().isPresent()) {
                e.put("validation_nll", r.validationNll().getAsDouble())
                        .put("validation_accuracy", r.validationAccuracy().getAsDouble());
            }
            e.put("checkpoint", r.checkpoint().map(Object::toString).orElse(null));
        }
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SHA-256 (hex) over each example's id and answer index, in dataset order. */
    public static String fingerprint(McqaDataset data) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (McqaExample e : data.examples()) {
                sha.update((e.id() + "\t" + e.answer() + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
