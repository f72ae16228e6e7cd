package org.pshmem.mpj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pshmem.spi.FailureSummary;
import org.pshmem.spi.HangReport;
import org.pshmem.spi.RankActivity;

/**
 * {@link JobFolder}: the marks ranks leave, as the launcher, the guard and {@link JobStatus} read them; a rank
 * that died is one whose process on this host is gone with no outcome written.
 */
class JobFolderTest
{
    @TempDir
    Path dir;

    /** @return the pid of a process of this host that has ended. */
    private static long endedPid() throws Exception
    {
        final Process process = new ProcessBuilder("true").start();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        return process.pid();
    }

    /** Writes rank's pid mark as a rank on {@code host} would, for a process other than this one. */
    private void pidMark(final int rank, final long pid, final String host) throws IOException
    {
        Files.writeString(dir.resolve("rank-" + rank + ".pid"), pid + " " + host);
    }

    private static String thisHost()
    {
        return RankProcess.markOfThisProcess().split(" ", 2)[1];
    }

    @Test
    void aStartedRankIsReadBackRunningWithItsPid() throws IOException
    {
        final JobFolder folder = new JobFolder(dir);
        folder.markStarted(2);
        assertEquals(List.of(2), folder.started());
        assertEquals(Optional.of(ProcessHandle.current().pid()), folder.localPid(2));
        assertEquals(Optional.empty(), folder.outcome(2));
        assertEquals(List.of(), folder.died(), "this process is alive");
        assertEquals(Optional.empty(), folder.lostRank());
        assertEquals(List.of("rank-2.pid"), names(), "the mark is renamed into place, no temporary left");
    }

    @Test
    void outcomesAreReadBackByKindInRankOrder() throws IOException
    {
        final JobFolder folder = new JobFolder(dir);
        for (final int rank : new int[] {10, 2, 0, 1, 3})
        {
            folder.markStarted(rank);
        }
        folder.markEnded(10, JobFolder.Outcome.OK, "");
        folder.markEnded(2, JobFolder.Outcome.OK, "");
        folder.markEnded(1, JobFolder.Outcome.FAILED, "java.lang.IllegalStateException: boom");
        folder.markEnded(3, JobFolder.Outcome.STOPPED, "stopped because rank 1 failed");
        assertEquals(List.of(0, 1, 2, 3, 10), folder.started(), "numeric order, not by name");
        assertEquals(List.of(2, 10), folder.ended(JobFolder.Outcome.OK));
        assertEquals(List.of(1), folder.ended(JobFolder.Outcome.FAILED));
        assertEquals(List.of(3), folder.ended(JobFolder.Outcome.STOPPED));
        assertEquals(Optional.of(JobFolder.Outcome.STOPPED), folder.outcome(3));
        assertEquals(Optional.empty(), folder.outcome(0));
        final JobFolder.LostRank lost = folder.lostRank().orElseThrow();
        assertEquals(new JobFolder.LostRank(1, true, "java.lang.IllegalStateException: boom"), lost);
        assertEquals("rank 1 failed: java.lang.IllegalStateException: boom", lost.describe());
    }

    @Test
    void aRankThatReturnedOrClosedHasFinishedWithoutFailing() throws Exception
    {
        final JobFolder folder = new JobFolder(dir);
        final long ended = endedPid();
        folder.markStarted(0);
        folder.markStarted(1);
        pidMark(2, ended, thisHost());
        pidMark(3, ended, thisHost());
        folder.markStarted(4);
        pidMark(5, ended, thisHost());
        folder.markEnded(5, JobFolder.Outcome.OK, "");
        folder.markReturned(1); // main returned; its process (this one) still finalises
        folder.markEnded(3, JobFolder.Outcome.FAILED, "boom");
        folder.markClosed(4, "w.3.0");
        assertFalse(folder.hasFinished(0), "running");
        assertTrue(folder.hasFinished(1), "returned");
        assertTrue(folder.hasFinished(3), "has an outcome");
        assertFalse(folder.hasFinished(4), "closing a communicator is not the end of the rank");
        assertTrue(folder.hasClosed(4, "w.3.0"));
        assertFalse(folder.hasClosed(4, "w.3.1"), "another communicator");
        assertFalse(folder.hasClosed(0, "w.3.0"), "another rank");
        assertFalse(folder.failedOrDied(0), "running");
        assertFalse(folder.failedOrDied(1), "returned normally");
        assertTrue(folder.failedOrDied(2), "its process is gone with no outcome");
        assertTrue(folder.failedOrDied(3), "failed");
        assertFalse(folder.failedOrDied(4), "only closed a communicator");
        assertFalse(folder.failedOrDied(5), "ended normally");
        assertEquals(Optional.of(new JobFolder.LostRank(3, true, "boom")), folder.lostRank());
        assertEquals(List.of(0, 1, 2, 3, 4, 5), folder.started(), "the new marks are not taken for pids");
        // What a wait in node memory asks of the members of communicator w.3.0, from one listing.
        assertEquals(OptionalInt.of(1), folder.firstFinishedOrClosed(new int[] {0, 1, 3}, "w.3.0", 0), "returned");
        assertEquals(OptionalInt.of(4), folder.firstFinishedOrClosed(new int[] {0, 4}, "w.3.0", 0), "closed it");
        assertEquals(OptionalInt.empty(), folder.firstFinishedOrClosed(new int[] {0, 4}, "w.3.1", -1),
            "closed another communicator");
        assertEquals(OptionalInt.empty(), folder.firstFinishedOrClosed(new int[] {1, 0}, "w.3.0", 1),
            "the asking rank is not reported");
        assertEquals(OptionalInt.of(5), folder.firstFinishedOrClosed(new int[] {5, 3}, "w.3.0", -1),
            "the first in the members' order: ended normally");
        assertEquals(OptionalInt.of(3), folder.firstFinishedOrClosed(new int[] {0, 3}, "w.3.0", -1), "failed");
    }

    @Test
    void othersHaveEndedOnceEachHasAnOutcomeOrItsProcessIsGone() throws Exception
    {
        final JobFolder folder = new JobFolder(dir);
        folder.markStarted(0); // the asking rank: never looked at
        pidMark(1, endedPid(), thisHost());
        folder.markStarted(2);
        assertFalse(folder.othersEnded(4, 0), "rank 2 runs (this process) and rank 3 has not even started");
        pidMark(3, endedPid(), thisHost());
        assertFalse(folder.othersEnded(4, 0), "rank 2 runs");
        folder.markEnded(2, JobFolder.Outcome.STOPPED, "stopped because rank 0 failed");
        assertTrue(folder.othersEnded(4, 0), "rank 2 has an outcome, ranks 1 and 3 are gone");
        assertFalse(folder.othersEnded(5, 0), "rank 4 of a job of 5 has not started");
    }

    @Test
    void aRankWhoseProcessEndedWithNoOutcomeDied() throws Exception
    {
        final JobFolder folder = new JobFolder(dir);
        final long ended = endedPid();
        pidMark(0, ended, thisHost());
        pidMark(1, ended, thisHost());
        pidMark(2, ended, thisHost());
        pidMark(3, ended, thisHost());
        folder.markStarted(4);
        folder.markEnded(0, JobFolder.Outcome.OK, "");
        folder.markEnded(2, JobFolder.Outcome.STOPPED, "the launcher is gone");
        assertEquals(List.of(1, 3), folder.died(), "ranks 0 and 2 ended with an outcome; rank 4 runs");
        final JobFolder.LostRank lost = folder.lostRank().orElseThrow();
        assertEquals(new JobFolder.LostRank(1, false, ""), lost);
        assertEquals("rank 1 ended without finishing", lost.describe());
    }

    @Test
    void aFailureNamesTheCauseBeforeRanksThatDied() throws Exception
    {
        final JobFolder folder = new JobFolder(dir);
        pidMark(0, endedPid(), thisHost());
        folder.markStarted(5);
        folder.markEnded(5, JobFolder.Outcome.FAILED, "boom");
        assertEquals(List.of(0), folder.died());
        assertEquals(new JobFolder.LostRank(5, true, "boom"), folder.lostRank().orElseThrow());
    }

    @Test
    void aRankOfAnotherHostIsNeverSeenDeadNorGivenAPid() throws Exception
    {
        final JobFolder folder = new JobFolder(dir);
        pidMark(0, endedPid(), thisHost() + "-elsewhere");
        assertEquals(List.of(0), folder.started());
        assertEquals(Optional.empty(), folder.localPid(0), "the same number names another process there");
        assertEquals(List.of(), folder.died());
        assertEquals(Optional.empty(), folder.lostRank());
    }

    @Test
    void marksBeingWrittenAndOtherFilesAreNotMarks() throws Exception
    {
        final JobFolder folder = new JobFolder(dir);
        final long ended = endedPid();
        Files.writeString(dir.resolve("rank-0.pid.tmp"), ended + " " + thisHost());
        Files.writeString(dir.resolve("rank-1.failed.tmp"), "half wri");
        Files.writeString(dir.resolve("rank-x.failed"), "not a rank");
        Files.writeString(dir.resolve("machines"), "localhost\n");
        assertEquals(List.of(), folder.started());
        assertEquals(List.of(), folder.ended(JobFolder.Outcome.FAILED));
        assertEquals(Optional.empty(), folder.lostRank());
    }

    @Test
    void aJvmHasAJobFolderOnlyWhenTheSettingNamesOne()
    {
        final String before = System.getProperty(JobFolder.PROPERTY);
        try
        {
            System.clearProperty(JobFolder.PROPERTY);
            assertEquals(Optional.empty(), JobFolder.ofThisRank());
            System.setProperty(JobFolder.PROPERTY, dir.toString());
            assertEquals(dir, JobFolder.ofThisRank().orElseThrow().path());
        }
        finally
        {
            if (null == before)
            {
                System.clearProperty(JobFolder.PROPERTY);
            }
            else
            {
                System.setProperty(JobFolder.PROPERTY, before);
            }
        }
    }

    @Test
    void aCollectiveAWaitingRankLeftIsReadBackUntilCleared() throws Exception
    {
        final JobFolder folder = new JobFolder(dir);
        folder.markStarted(0);
        assertEquals(Optional.empty(), folder.waiting(0));
        assertEquals(HangReport.Place.elsewhere(0, HangReport.State.RUNNING), folder.place(0));
        final RankActivity.Waiting waiting = new RankActivity.Waiting("allReduce(int, SUM) (step 17)", 1_795_797_539_500L);
        folder.markWaiting(0, waiting);
        assertEquals(Optional.of(waiting), folder.waiting(0));
        assertEquals(HangReport.Place.in(0, waiting), folder.place(0));
        folder.clearWaiting(0);
        folder.clearWaiting(0); // twice: nothing left to remove is not an error
        assertEquals(Optional.empty(), folder.waiting(0));
        assertEquals(List.of("rank-0.pid"), names());
    }

    @Test
    void everyRankHasAPlaceFromItsMarks() throws Exception
    {
        final JobFolder folder = new JobFolder(dir);
        for (final int rank : new int[] {0, 1, 2, 3})
        {
            folder.markStarted(rank);
        }
        pidMark(4, endedPid(), thisHost());
        folder.markEnded(0, JobFolder.Outcome.OK, "");
        folder.markEnded(1, JobFolder.Outcome.FAILED, "java.lang.IllegalStateException: boom");
        folder.markEnded(2, JobFolder.Outcome.STOPPED, "stopped because rank 1 failed");
        folder.markReturned(3);
        folder.markWaiting(3, new RankActivity.Waiting("barrier() (step 0)", 1L)); // left behind: the outcome wins
        assertEquals(List.of(
            HangReport.Place.elsewhere(0, HangReport.State.FINISHED),
            HangReport.Place.elsewhere(1, HangReport.State.FAILED),
            HangReport.Place.elsewhere(2, HangReport.State.STOPPED),
            HangReport.Place.elsewhere(3, HangReport.State.RETURNED),
            HangReport.Place.elsewhere(4, HangReport.State.DIED),
            HangReport.Place.elsewhere(5, HangReport.State.NOT_STARTED)),
            List.of(folder.place(0), folder.place(1), folder.place(2), folder.place(3), folder.place(4),
                folder.place(5)));
    }

    @Test
    void theRanksThatDidNotFinishAreReadBackWithTheirTraces() throws Exception
    {
        final JobFolder folder = new JobFolder(dir);
        for (final int rank : new int[] {0, 1, 2, 3})
        {
            folder.markStarted(rank);
        }
        pidMark(4, endedPid(), thisHost());
        folder.markEnded(0, JobFolder.Outcome.OK, "");
        folder.markTrace(1, "java.lang.IllegalStateException: boom\n\tat App.main(App.java:3)\n");
        folder.markEnded(1, JobFolder.Outcome.FAILED, "java.lang.IllegalStateException: boom");
        folder.markEnded(2, JobFolder.Outcome.STOPPED, "stopped because rank 1 failed");
        folder.markReturned(3);
        assertEquals(List.of(
            new FailureSummary.RankEnd(1, FailureSummary.Kind.FAILED, "java.lang.IllegalStateException: boom",
                "java.lang.IllegalStateException: boom\n\tat App.main(App.java:3)\n"),
            new FailureSummary.RankEnd(2, FailureSummary.Kind.STOPPED, "stopped because rank 1 failed", null),
            new FailureSummary.RankEnd(4, FailureSummary.Kind.DIED, "", null)), folder.ends(5));
        assertEquals(List.of(1), folder.ended(JobFolder.Outcome.FAILED), "the trace is not an outcome");
        assertEquals("rank 1 failed: java.lang.IllegalStateException: boom", folder.lostRank().orElseThrow().describe(),
            "other ranks read the failure's message, not its trace");
    }

    private List<String> names() throws IOException
    {
        try (var files = Files.list(dir))
        {
            return files.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }
}
