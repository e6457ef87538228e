# barmand's retention delete: `barman delete SERVER BACKUP_ID` as Barman's own retention does it.
#
# `barman delete` never removes WAL behind a keep:standalone backup (BackupManager.delete_backup is called with
# skip_wal_cleanup_if_standalone=True); `barman cron` enforcing a retention policy passes False, so that the WAL
# after a standalone backup's end is removed, its own begin..end range protected (barman/backup.py,
# should_remove_wals). barmand owns retention, with Barman's retention_policy empty, so it deletes the way cron would:
# the same locks as Server.delete_backup, then delete_backup(backup, skip_wal_cleanup_if_standalone=False).
# Barman 3.4 (Debian 12). Arguments and output as `barman [-c CONF] -f json delete SERVER BACKUP_ID`.
import os
import sys
from contextlib import closing

import barman.cli as cli
from barman import output
from barman.exceptions import LockFileBusy, LockFilePermissionDenied
from barman.infofile import BackupInfo
from barman.lockfile import ServerBackupIdLock, ServerBackupLock


def delete(args):
    server = cli.get_server(args)
    # Barman 3.4 gives the backup's BackupInfo (and exits on an unknown id); older ones its id
    backup = cli.parse_backup_id(server, args)
    with closing(server):
        if isinstance(backup, str):
            backup = server.get_backup(backup)
        if backup is None:
            output.error("Unknown backup '%s' for server '%s'" % (args.backup_id, server.config.name))
            return
        try:
            lock = ServerBackupLock(server.config.barman_lock_directory, server.config.name)
            lock.acquire(lock.raise_if_fail, lock.wait)
            lock.release()
        except LockFileBusy:
            first = server.get_first_backup_id(BackupInfo.STATUS_ALL)
            if backup.backup_id == first and backup.status in (BackupInfo.STARTED, BackupInfo.EMPTY):
                output.error("Cannot delete a running backup (%s %s)" % (server.config.name, backup.backup_id))
                return
        try:
            lock = ServerBackupIdLock(server.config.barman_lock_directory, server.config.name, backup.backup_id)
            with lock:
                deleted = server.backup_manager.delete_backup(backup, skip_wal_cleanup_if_standalone=False)
            if deleted:
                os.remove(lock.filename)
            else:
                output.error("Cannot delete backup (%s %s)" % (server.config.name, backup.backup_id))
        except LockFileBusy:
            output.error("Another process is holding the lock for backup %s of server %s."
                         % (backup.backup_id, server.config.name))
        except LockFilePermissionDenied as e:
            output.error("Permission denied, unable to access '%s'" % e)


try:
    a = cli.p.parse_args(sys.argv[1:])
    cli.global_config(a)
    if a.command != "delete":
        output.error("barmand's retention delete runs `delete` only, not %s" % a.command)
    else:
        delete(a)
except Exception as e:  # as barman's main: reported in the JSON output, exit code non-zero
    output.error("%s: %s" % (type(e).__name__, e))
output.close_and_exit()
