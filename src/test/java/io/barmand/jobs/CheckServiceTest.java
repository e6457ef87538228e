package io.barmand.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.barmand.barman.BarmanClient;
import io.barmand.config.JobKind;
import io.barmand.job.JobService.Result;
import io.barmand.job.RunOptions;
import io.barmand.process.CommandRunner;
import io.barmand.testing.Contexts;
import io.barmand.testing.FakeBarman;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `barman check` through a fake barman printing Barman 3.4's real JSON: the failed checks, and every check named. */
class CheckServiceTest {
    @TempDir
    Path tmp;
    FakeBarman fake;
    CheckService service;

    @BeforeEach
    void setUp() {
        fake = new FakeBarman(tmp);
        service = new CheckService(new BarmanClient(new CommandRunner(Clock.systemUTC(), Duration.ofSeconds(1)), fake.script(),
                Optional.empty()));
    }

    @Test
    void failedChecksAndAllTheirNames() {
        fake.answer("check", "check-failed.json", 1);
        Result r = service.execute(Contexts.of(JobKind.CHECK, "itbad", RunOptions.NONE));
        assertThat(r.success()).isFalse();
        assertThat(r.figures().failedChecks()).containsExactly("pg_basebackup_compatible", "pg_receivexlog_compatible",
                "postgresql", "receive_wal_running", "wal_archive");
        assertThat(r.figures().facts().text("checks")).contains("archiver_errors,backup_maximum_age,backup_minimum_size,"
                + "compression_settings,directories,failed_backups,minimum_redundancy_requirements,pg_basebackup,"
                + "pg_basebackup_compatible,pg_receivexlog,pg_receivexlog_compatible,postgresql,receive_wal_running,"
                + "retention_policy_settings,systemid_coherence,wal_archive,wal_maximum_age,wal_size");
        assertThat(r.figures().detail()).isEqualTo("13 of 18 checks OK");
        assertThat(r.figures().error()).startsWith("failed checks: pg_basebackup_compatible (PostgreSQL version: None");
    }

    @Test
    void allOk() {
        fake.answer("check", "check-ok.json", 0);
        Result r = service.execute(Contexts.of(JobKind.CHECK, "itpg", RunOptions.NONE));
        assertThat(r.success()).isTrue();
        assertThat(r.figures().failedChecks()).isEmpty();
        assertThat(r.figures().facts().text("checks").orElseThrow().split(",")).hasSize(22).contains("wal_level", "postgresql");
        assertThat(r.figures().detail()).isEqualTo("22 checks OK");
    }

    @Test
    void noChecksNoFact() {
        fake.answer("check", "check-unknown.json", 1);
        Result r = service.execute(Contexts.of(JobKind.CHECK, "nosuch", RunOptions.NONE));
        assertThat(r.success()).isFalse();
        assertThat(r.figures().facts().isEmpty()).isTrue();
        assertThat(r.figures().detail()).isNull();
        assertThat(r.figures().error()).isEqualTo("Unknown server 'nosuch'");
    }
}
