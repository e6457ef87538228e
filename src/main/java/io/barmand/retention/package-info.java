/**
 * Retention: which backups of a server to keep, mark, release or delete, and the job that does it.
 * {@link io.barmand.retention.RetentionEngine} and the records around it are pure logic, no I/O (the policy,
 * {@link io.barmand.config.RetentionPolicy}, is read with the settings); {@link io.barmand.retention.RetentionService}
 * reads Barman, the bucket and the history, and applies the plans.
 * <p>
 * {@link io.barmand.retention.RetentionEngine#plan} turns a {@link io.barmand.retention.RetentionPolicy}, the
 * {@link io.barmand.retention.Candidate}s of one catalogue and the caller's {@code now} into a
 * {@link io.barmand.retention.Plan}; {@link io.barmand.retention.PlanText} writes it for people and as JSON. The local
 * Barman catalogue and the bucket's copy each get their own plan, with their own policy.
 *
 * <h2>The sequence the daemon runs with a local plan</h2>
 * Under the server's lock (so that no backup, copy or restore test of the server starts meanwhile), with candidates
 * read under that lock:
 * <ol>
 *   <li>If the plan is refused: record the refusal, alert, do nothing else (every verdict is KEEP anyway).</li>
 *   <li><b>Mark</b> every {@code KEEP_STANDALONE} backup that does not carry it yet:
 *       {@code barman keep SERVER ID --target standalone}. First, because adding protection can only make a run cut
 *       short delete less. (Barman: full to standalone is safe; standalone to full is not, and no verdict asks for it.)</li>
 *   <li><b>Release</b> every {@code RELEASE_AND_KEEP} backup: {@code barman keep SERVER ID --release}. It stays, a
 *       plain backup the window or a rail covers; a later run deletes it when nothing covers it any more.</li>
 *   <li><b>Delete</b>, oldest first (Barman's own {@code cron} deletes OBSOLETE backups oldest first, so that the WAL
 *       each one held is cleaned as it goes): {@code DELETE} is {@code barman delete SERVER ID};
 *       {@code RELEASE_AND_DELETE} is {@code barman keep SERVER ID --release} then, at once,
 *       {@code barman delete SERVER ID} (Barman refuses to delete a kept backup, so the release must come first).
 *       Before all of it, the notes of keeps that are no longer barmand's are dropped.</li>
 * </ol>
 * Why this order is safe: every step only removes protection that the plan says no rule wants, and each step taken
 * alone leaves a catalogue the next plan handles. If the run stops between a release and its delete, the backup is
 * left as a plain backup, which the next run deletes again (or keeps, if the window or a rail covers it by then): no
 * backup a rule wants is ever without its protection, and none is deleted while it still carries a keep.
 *
 * <h2>How it lives with Barman (settled when wiring)</h2>
 * <ul>
 *   <li>Barman's own {@code retention_policy} must be empty for a server barmand retains: {@code barman cron}
 *       deletes every OBSOLETE backup (unkept, outside its window) within the minute, before a plan can mark the
 *       backups the tiers want beyond the window. A run refuses a server where it is set.</li>
 *   <li>Every Barman call goes through {@code barman.binary} (a wrapper there sees each one), deletes included:
 *       {@code barman delete SERVER ID}. Barman 3.4's delete removes the WAL the deleted backup alone needed only when
 *       no older backup remains: while an older backup is keep:standalone, {@code barman delete} keeps every WAL
 *       ({@code BackupManager.delete_backup} with {@code skip_wal_cleanup_if_standalone=True}; only cron's
 *       retention passes False, and it needs Barman's own retention_policy, which must stay empty). So the WAL after
 *       a standalone backup's end goes when that backup itself is deleted as the oldest; until then Barman's
 *       archive holds the WAL from the oldest standalone backup on (docs/retention.md).</li>
 *   <li>A longer recovery window does not bring back WAL already removed behind standalone backups.</li>
 *   <li>Whose keep: barmand writes each {@code --target standalone} keep it takes to STATE-DIR/retention-keeps
 *       before taking it, then notes when Barman wrote the keep's annotation; a restore test's keep is
 *       restore's, asked through the {@link io.barmand.vocabulary.KeepRegistry} the wiring gives. A keep is barmand's only while Barman says so: target {@code standalone}, written
 *       when barmand took it. Re-kept with {@code --target full}, released, or released and kept again by hand: the
 *       note is dropped and the keep is an admin's ({@link io.barmand.retention.Candidate#keptByAdmin()}, the rail
 *       {@code admin-keep}): never released, never deleted. A state folder lost turns barmand's keeps into "admin's"
 *       ones: nothing is lost, they stay until released by hand.</li>
 * </ul>
 */
package io.barmand.retention;
