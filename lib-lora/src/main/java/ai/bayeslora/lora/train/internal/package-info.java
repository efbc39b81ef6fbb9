/**
 * Implementation of the training loop (optimizers, checkpoints and trainer state, data order, dropout generators,
 * evaluation, progress). Not part of the API: public only for use within lib-lora, excluded from the published
 * Javadoc, and may change without notice.
 */
package ai.bayeslora.lora.train.internal;
