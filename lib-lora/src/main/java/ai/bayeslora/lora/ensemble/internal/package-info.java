/**
 * Implementation of ensemble inference and storage (batched and sequential forwards, the manifest's JSON, folder
 * writes). Not part of the API: public only for use within lib-lora, excluded from the published Javadoc, and may
 * change without notice.
 */
package ai.bayeslora.lora.ensemble.internal;
