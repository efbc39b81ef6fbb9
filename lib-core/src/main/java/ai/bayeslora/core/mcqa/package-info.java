/**
 * Class probabilities from a causal LM's logits (docs/METHODS.md §1): {@link ai.bayeslora.core.mcqa.AnswerScorer}
 * reads the class logits of a batch with an adapter binding, under one of the two
 * {@link ai.bayeslora.core.mcqa.ClassReduction}s (a) answer tokens or (b) full vocabulary plus "other". Multi-token
 * labels are scored by their continuation log-likelihood ({@link ai.bayeslora.core.mcqa.ContinuationBatch}), and rows
 * with fewer choices than the dataset's classes over their own choices ({@link ai.bayeslora.core.mcqa.ClassMask}).
 *
 * <p>Tensor level (docs/API.md, "Tensors in signatures"): the logits and log-probabilities here are libtorch tensors,
 * the pieces a custom posterior reuses; {@link ai.bayeslora.core.mcqa.AnswerScorer#probabilities} is the array form.
 */
package ai.bayeslora.core.mcqa;
