package ai.bayeslora.docs;

import ai.bayeslora.BayesLora;
import ai.bayeslora.core.data.BundledData;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.McqaDatasets;
import ai.bayeslora.lora.LoraConfig;
import ai.bayeslora.lora.ensemble.EnsembleTrainer;
import ai.bayeslora.lora.ensemble.LoraEnsemble;
import ai.bayeslora.uncertainty.EvaluationReport;
import java.nio.file.Path;

/**
 * The code example shown in README.md. It is compiled and run by the build (ReadmeExampleTest), and the test checks
 * that README.md shows exactly the lines between the markers, so the README cannot rot.
 */
public final class ReadmeExample {
    private ReadmeExample() {
    }

    /**
     * Trains a two-member LoRA ensemble for one epoch on {@code trainFile}, evaluates it on {@code testFile} and
     * returns the epistemic uncertainty (mutual information) of each test question.
     *
     * @param trainFile labelled training questions
     * @param testFile labelled test questions
     * @param runDir where the members' checkpoints go
     * @return the mutual information per test question, in nats
     */
    public static double[] ensembleUncertainty(Path trainFile, Path testFile, Path runDir) {
        // README-EXAMPLE-START
        Path modelDir = BundledData.tinyLlamaModel();                 // or an HF folder: Path.of("/models/...")
        McqaDataset train = McqaDatasets.load(trainFile);             // CQA, MMLU, ARC, ... or generic JSONL
        McqaDataset test = McqaDatasets.load(testFile);
        try (BayesLora bayes = BayesLora.open(modelDir, "auto")) {    // CUDA if usable, else the CPU
            EnsembleTrainer.Result run = bayes.trainEnsemble()         // a deep ensemble of LoRA adapters
                    .members(2).epochs(1)
                    .lora(LoraConfig.builder().rank(8).alpha(16).targetModules("q_proj", "v_proj").build())
                    .checkpoints(runDir)                                // member-MM/epoch-EEE, resumable
                    .run(train);
            try (LoraEnsemble ensemble = run.ensemble()) {
                EvaluationReport report = bayes.estimator(ensemble).evaluate(test);
                System.out.println(report.summary());                  // accuracy, NLL, ECE, Brier, uncertainty
                return report.prediction().uncertainty().epistemic(); // mutual information per question
            }
        }
        // README-EXAMPLE-END
    }
}
