/**
 * Class probabilities from a causal LM's logits (docs/METHODS.md §1): {@link ai.bayeslora.core.mcqa.AnswerScorer}
 * reads the class logits of a batch with an adapter binding, under one of the two
 * {@link ai.bayeslora.core.mcqa.ClassReduction}s (a) answer tokens or (b) full vocabulary plus "other". Multi-token
 * labels are scored by their continuation log-likelihood ({@link ai.bayeslora.core.mcqa.ContinuationBatch}), and rows
 * with fewer choices than the dataset's classes over their own choices ({@link ai.bayeslora.core.mcqa.ClassMask}).
 */
package ai.bayeslora.core.mcqa;
