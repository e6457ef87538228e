/**
 * The ground floor's vocabulary: what capabilities agree on, typed so that the compiler checks it instead of two
 * sides spelling a string alike. {@link io.barmand.vocabulary.RestoreSource}: where a restore test reads its backup;
 * {@link io.barmand.vocabulary.KeepRegistry}: the backups a capability holds that retention must not delete;
 * {@link io.barmand.vocabulary.Capability}: what a node of the fleet is able to run. Imports
 * nothing of barmand's: every package may import it.
 */
package io.barmand.vocabulary;
