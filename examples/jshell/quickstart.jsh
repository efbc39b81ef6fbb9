// The quickstart, step by step: train a LoRA deep ensemble on the bundled tiny model, measure its uncertainty
// in-domain and on shifted questions, and compare with a single adapter.
// Run: ./bayeslora jshell examples/jshell/quickstart.jsh      (about a minute; the bundled model is tiny and random)
import ai.bayeslora.*;
import ai.bayeslora.core.data.*;
import ai.bayeslora.lora.*;
import ai.bayeslora.lora.ensemble.*;
import ai.bayeslora.lora.train.*;
import ai.bayeslora.uncertainty.*;
import java.nio.file.*;
import java.util.*;
// (In JShell a line that ends a complete expression ends the statement: continuation lines follow a trailing dot.)

boolean fast = Boolean.getBoolean("bayeslora.quickstart.fast");
Path modelDir = BundledData.tinyLlamaModel();   // lib-core's bundled tiny Llama (extracted once to ~/.cache/bayeslora)
Path out = Files.createTempDirectory("quickstart-notebook");

// 1. The entry object: the model folder's base model, tokenizer, prompt format and batcher in one object.
//    The data: 767 training questions, 64 held-out, 64 with unseen words (OOD).
BayesLora bayes = BayesLora.open(modelDir, "auto");
McqaDataset train = BundledData.syntheticMcqaTrain().limit(fast ? 128 : 512);
McqaDataset test = BundledData.syntheticMcqaDataset();
McqaDataset ood = BundledData.syntheticMcqaOod();

// 2. LoRA r=8 on the attention projections; AdamW lr 3e-3; M members with seeds 0..M-1, checkpoints per epoch.
LoraConfig lora = LoraConfig.builder().rank(8).alpha(16).targetModules("q_proj", "k_proj", "v_proj", "o_proj").build();
TrainingConfig training = TrainingConfig.builder().learningRate(3e-3).batchSize(16).epochs(fast ? 1 : 2).
        progressBar(false).build();
EnsembleTrainer.Result result = bayes.trainEnsemble().members(fast ? 2 : 3).lora(lora).training(training).
        checkpoints(out).run(train);
LoraEnsemble ensemble = result.ensemble();

// 3. One question: per-member probabilities, the mean, and the entropy split into aleatoric + epistemic.
Prediction p = bayes.estimator(ensemble).predict(bayes.batcher().encode(test.examples().subList(0, 1)));
System.out.printf("question %s: predicted %s (confidence %.3f), total %.3f = aleatoric %.3f + epistemic %.3f%n",
        p.exampleIds().get(0), p.predictedLabel(0), p.confidence()[0], p.uncertainty().total()[0],
        p.uncertainty().aleatoric()[0], p.uncertainty().epistemic()[0]);

// 4. Calibration and OOD detection: the ensemble against its first member alone (loaded from its last checkpoint).
Path lastEpoch = EnsembleTrainer.memberDir(out, 0).resolve(String.format("epoch-%03d", training.epochs()));
LoraEnsemble single = bayes.singleAdapter(lastEpoch, train);
var estimators = List.of(bayes.estimator(single).progress(false), bayes.estimator(ensemble).progress(false));
Comparison cmp = UncertaintyEstimator.compare(test, ood, estimators);
System.out.print(cmp.table());

ensemble.close();   // trained here, so ours to close
bayes.close();      // closes what it loaded (the single adapter), the tokenizer and the model
/exit
