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
 *       {@code barman delete SERVER ID} (Barman refuses to delete a kept backup, so the release must come first).</li>
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
 *   <li>Plain {@code barman delete} cleans no WAL when an older backup is keep:standalone (the command path calls
 *       {@code BackupManager.delete_backup} with {@code skip_wal_cleanup_if_standalone=True}; only cron's retention
 *       passes False). barmand therefore deletes through Barman's own modules with False, as cron does
 *       ({@code BarmanClient#delete}, resource retention-delete.py): the WAL after a standalone backup goes, its
 *       own begin..end range stays.</li>
 *   <li>A longer recovery window does not bring back WAL already removed behind standalone backups.</li>
 *   <li>Whose keep: barmand writes each {@code --target standalone} keep it takes to STATE-DIR/retention-keeps
 *       before taking it; a restore test's keep is in STATE-DIR/restore-keeps. Any other keep is an admin's
 *       ({@link io.barmand.retention.Candidate#keptByAdmin()}): never released, never deleted. A state folder lost
 *       turns barmand's keeps into "admin's" ones: nothing is lost, they stay until released by hand.</li>
 * </ul>
 */
package io.barmand.retention;
